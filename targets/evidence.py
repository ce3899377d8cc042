"""The rating evidence pack (hồ sơ đánh giá, xếp loại): beside the year-end rating of a TCCSĐ, the year's
evidence computed from the records — reports on time / late / missing with days (``reports.timeliness``), the
cells' meetings held against those due, thematic meetings, attendance (``members.meetings``), the members'
ratings and the 20% rule (``members.services.excellent_cap``), the targets it contributed to (the dashboard's
per-organisation rows) — and dues and discipline, registered through the hook (``EVIDENCE_SECTIONS``).

The pack is evidence, not a verdict: the rater still decides. It lives here because it reads every layer below
(organizations and members may not import reports). One click prints it as a one-page official document.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from core.documents import Column, OfficialDocument, Paragraph, Table, vn_int, vn_rate
from discipline.models import Discipline, ProgrammeStatus, Remedy, Subject
from members import dues, meetings
from members.models import MemberRating
from members.rating_evidence import Note, member_evidence
from members.services import excellent_cap
from organizations import documents as letterheads
from organizations import rating_rules
from organizations.models import GOOD_RATINGS, DocumentType, Organization, OrganizationYear, Rating
from organizations.selectors import officer_posts_during
from reports import timeliness
from reports.periods import periods_of_year

from . import dashboard as dash


@dataclass
class Line:
    label: str
    value: str
    #: What the rater should look at (a missing month, a late report): shown in red.
    warn: bool = False


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class RatingPack:
    organization: Organization
    year: int
    as_of: dt.date
    record: OrganizationYear | None
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"Hồ sơ đánh giá, xếp loại năm {self.year}"


#: The hook for the registers beside the reports and meetings (dues, discipline: below): each function
#: ``(organization, year, as_of) -> Section | None`` adds its section to every pack, in the order registered.
#: Register with ``@evidence_section``.
EVIDENCE_SECTIONS: list[Callable[[Organization, int, dt.date], Section | None]] = []


def evidence_section(func):
    """Add a section to every rating evidence pack (see ``EVIDENCE_SECTIONS``)."""
    EVIDENCE_SECTIONS.append(func)
    return func


#: At most this many items of a list are written out (the pack stays on one page); the rest are counted.
MAX_LISTED = 5


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" và {len(items) - MAX_LISTED} kỳ khác" if len(items) > MAX_LISTED else "")


def _month_ranges(months: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8, 9] → "1–3, 5, 7–9"."""
    parts, start = [], None
    for i, m in enumerate(months):
        if start is None:
            start = m
        if i + 1 == len(months) or months[i + 1] != m + 1:
            parts.append(f"{start}–{m}" if m - start >= 2 else ", ".join(map(str, range(start, m + 1))))
            start = None
    return ", ".join(parts)


@dataclass
class ReportRecord:
    """An organisation's periodic reports of a year by the one rule (``reports.timeliness``): counts, and the
    late and missing ones named with their days, in the order they fell due."""

    counts: timeliness.TimelinessCounts
    late: list[str]
    missing: list[str]

    @property
    def on_time(self) -> str:
        counts = self.counts
        return f"{vn_int(counts.on_time)}/{vn_int(counts.due)}" + (
            f" ({vn_rate(counts.on_time, counts.due)})" if counts.due else ""
        )


def report_record(organization: Organization, year: int, as_of: dt.date) -> ReportRecord:
    """Every period of `year` the organisation owes, by the one rule (``reports.timeliness``)."""
    periods = [p for p in periods_of_year(year) if timeliness.owes_report(organization, p)]
    states = timeliness.cells([organization], periods, as_of)
    record = ReportRecord(timeliness.TimelinessCounts(), [], [])
    for period in sorted(periods, key=lambda p: (p.due_on, p.ends_on)):
        cell = states[(organization.pk, period.pk)]
        record.counts.add(cell.state)
        if cell.state == timeliness.LATE:
            record.late.append(f"{period.label} ({cell.days_late} ngày)")
        elif cell.state == timeliness.MISSING:
            record.missing.append(f"{period.label} (quá hạn {cell.days_late} ngày)")
    return record


def _reports(organization: Organization, year: int, as_of: dt.date) -> Section:
    record = report_record(organization, year, as_of)
    late, missing = record.late, record.missing
    section = Section("Báo cáo định kỳ")
    section.lines.append(Line("Nộp đúng hạn / đến hạn", record.on_time))
    section.lines.append(
        Line("Nộp muộn", f"{len(late)}" + (f": {_listed(late)}" if late else ""), bool(late))
    )
    section.lines.append(
        Line("Chưa nộp", f"{len(missing)}" + (f": {_listed(missing)}" if missing else ""), bool(missing))
    )
    return section


@member_evidence
def officer_report_duties(organization: Organization, year: int, members, as_of: dt.date) -> dict[int, list]:
    """Beside a member's rating, their own report duties if they held a TCCSĐ officer post during `year` (bí
    thư, phó bí thư, văn phòng cấp ủy: ``Member.account``'s officer records): the reports their organisation
    owed that year, on time / late / missing, by the one rule (``report_record``)."""
    by_account = {m.account_id: m for m in members if m.account_id}
    if not by_account:
        return {}
    posts = officer_posts_during(by_account, dt.date(year, 1, 1), dt.date(year, 12, 31))
    records: dict[int, ReportRecord] = {}
    out: dict[int, list[Note]] = {}
    for account_id, officers in posts.items():
        notes = []
        for officer in officers:
            org = officer.organization
            if org.pk not in records:
                records[org.pk] = report_record(org, year, as_of)
            record = records[org.pk]
            parts = [f"đúng hạn {record.on_time}"]
            if record.late:
                parts.append(f"muộn {len(record.late)}: {_listed(record.late)}")
            if record.missing:
                parts.append(f"chưa nộp {len(record.missing)}: {_listed(record.missing)}")
            notes.append(
                Note(
                    f"{officer.get_title_display()} {org.code}, báo cáo định kỳ năm {year}",
                    "; ".join(parts),
                    bool(record.late or record.missing),
                )
            )
        out[by_account[account_id].pk] = notes
    return out


def _meetings(organization: Organization, year: int, as_of: dt.date) -> Section:
    judged_on = min(as_of, dt.date(year + 1, 1, 1))
    record = meetings.organization_year(organization, year, judged_on)
    section = Section("Sinh hoạt chi bộ")
    if not record.meetings:
        section.lines.append(Line("Sổ sinh hoạt chi bộ", f"Chưa ghi buổi sinh hoạt nào năm {year}", True))
        return section
    gaps = [
        f"{u.unit.name}: tháng {_month_ranges(u.missing_months)}" for u in record.units if u.missing_months
    ]
    if len(gaps) > 3:
        gaps = [*gaps[:3], f"và {len(gaps) - 3} chi bộ khác"]
    section.lines.append(
        Line(
            "Sinh hoạt thường kỳ (tháng có / phải có)",
            f"{vn_int(record.months_held)}/{vn_int(record.months_due)}; "
            f"{record.cells_every_month}/{record.cells} chi bộ đủ các tháng"
            + (f" — thiếu {'; '.join(gaps)}" if gaps else ""),
            bool(gaps),
        )
    )
    section.lines.append(
        Line(
            "Sinh hoạt chuyên đề (quý có / phải có)",
            f"{vn_int(record.quarters_held)}/{vn_int(record.quarters_due)} ({vn_int(record.thematic)} buổi)",
            record.quarters_held < record.quarters_due,
        )
    )
    attended = (
        f"{vn_rate(record.present, record.expected)} ({vn_int(record.present)}/{vn_int(record.expected)} lượt)"
        if record.expected
        else "—"
    )
    section.lines.append(
        Line(
            "Dự sinh hoạt; buổi có cấp ủy cấp trên dự",
            f"{attended}; {vn_int(record.with_higher)}/{vn_int(record.meetings)} buổi",
        )
    )
    flags = meetings.absence_flags(year, organization=organization)
    section.lines.append(
        Line(
            "Vắng không lý do 3 tháng/năm (Điều lệ, Đ. 8.1)",
            f"{len(flags)}" + (": " + ", ".join(f.full_name for f in flags) if flags else ""),
            bool(flags),
        )
    )
    return section


def _ratings(organization: Organization, year: int) -> Section:
    grades = Counter(
        MemberRating.objects.filter(organization=organization, year=year).values_list("grade", flat=True)
    )
    section = Section("Xếp loại chất lượng đảng viên")
    rated = sum(grades.values())
    if not rated:
        section.lines.append(Line("Đảng viên đã xếp loại", f"Chưa có xếp loại năm {year}", True))
    else:
        parts = [f"{code} {vn_int(grades.get(code, 0))}" for code in Rating.values]
        section.lines.append(Line("Đảng viên đã xếp loại", f"{vn_int(rated)}: " + ", ".join(parts)))
        good = sum(n for g, n in grades.items() if g in GOOD_RATINGS)
        excellent = grades.get(Rating.HTXSNV, 0)
        base, allowed = excellent_cap(good, excellent)
        section.lines.append(
            Line(
                "HTXSNV ≤ 20% (HD 21-HD/BTCTW, mục 2.3)",
                f"{vn_int(excellent)}/tối đa {vn_int(allowed)} (cơ sở tính {vn_int(base)})"
                + (" — vượt" if excellent > allowed else " — đạt"),
                excellent > allowed,
            )
        )
    evidence = rating_rules.rating_evidence(organization, year)
    if evidence.rated:
        section.lines.append(
            Line(
                "Điều kiện HTXSNV của tổ chức",
                "; ".join(evidence.problems)
                if evidence.problems
                else "Đủ tỷ lệ (100% HTNV trở lên, ≥ 80% HTTNV trở lên)",
                bool(evidence.problems),
            )
        )
    return section


def _contributions(organization: Organization, year: int, today: dt.date) -> Section:
    """The organisation's rows of the dashboard's indicators (admissions, full memberships, study, theme)."""
    d = dash.build_dashboard(year, on=today, with_charts=False)
    rows = {code: d.results[code].row_for(organization.pk) for code in d.results}

    def count(code):
        row = rows.get(code)
        return vn_int(row.numerator or 0) if row else "—"

    def coverage(code):
        row = rows.get(code)
        return vn_rate(row.numerator or 0, row.denominator) if row and row.denominator else "chưa báo cáo"

    theme = rows.get("theme_adopted")
    detail = theme.detail if theme else "—"
    section = Section("Đóng góp vào chỉ tiêu")
    section.lines.append(
        Line("Kết nạp / công nhận chính thức", f"{count('admissions')} / {count('official_recognitions')}")
    )
    section.lines.append(
        Line(
            "Học tập nghị quyết (đảng viên / quần chúng)",
            f"{coverage('members_studied')} / {coverage('masses_studied')}",
        )
    )
    section.lines.append(
        Line("Chủ đề năm (Chỉ thị 05)", detail if len(detail) <= 90 else detail[:88].rstrip() + "…")
    )
    return section


# --- the dues and discipline registers (issue 19), through the hook --------------------------------------------


@evidence_section
def dues_section(organization: Organization, year: int, as_of: dt.date) -> Section:
    """Dues collected against the member-months on the roll, remittances to the Bloc on time / late / missing
    with days (``members.dues``: ``year_report``, ``remittance_table``, ``flagged_members``, the one rules)."""
    orgs = Organization.objects.filter(pk=organization.pk)
    report = dues.year_report(year, as_of, orgs)
    section = Section("Đảng phí")
    if not report.rows:
        section.lines.append(Line("Thu, nộp đảng phí", f"Không thuộc Đảng bộ Khối trong năm {year}"))
        return section
    row = report.rows[0]
    periods = dues.remittance_table(year, as_of, list(orgs))[organization.pk]
    if not row.lines and not any(remittance for _p, remittance, _s in periods):
        # Nothing of the year in the register (kept on paper before the portal): no figure to hold against it.
        section.lines.append(Line("Sổ đảng phí", f"Chưa ghi sổ năm {year} trong hệ thống: đối chiếu sổ giấy"))
        return section
    flags = dues.flagged_members(year, orgs)
    section.lines.append(
        Line(
            "Thu (tháng-đảng viên đã thu / phải thu)",
            f"{vn_int(row.paid)}/{vn_int(row.member_months - row.exempt)}; chưa đóng {vn_int(row.unpaid)}; "
            f"chưa ghi sổ {vn_int(row.not_recorded)}"
            + (
                f"; chưa đóng 3 tháng (Điều lệ, Đ. 8.1): {_listed([f.full_name for f in flags])}"
                if flags
                else ""
            ),
            bool(row.unpaid or row.not_recorded),
        )
    )
    late, missing, on_time, due = [], [], 0, 0
    for period, remittance, status in periods:
        if status == dues.NOT_YET:
            continue
        due += 1
        if status == dues.ON_TIME:
            on_time += 1
        elif status == dues.LATE:
            late.append(f"{period.label} ({(remittance.remitted_on - period.due).days} ngày)")
        else:
            missing.append(f"{period.label} (quá hạn {(as_of - period.due).days} ngày)")
    section.lines.append(
        Line(
            "Nộp Đảng ủy Khối (đúng hạn / đến hạn)",
            f"{on_time}/{due}"
            + (f"; muộn {len(late)}: {_listed(late)}" if late else "")
            + (f"; chưa nộp {len(missing)}: {_listed(missing)}" if missing else ""),
            bool(late or missing),
        )
    )
    return section


@evidence_section
def discipline_section(organization: Organization, year: int, as_of: dt.date) -> Section:
    """Disciplines counting in `year` (``DisciplineQuerySet.counting_in``: decided in the year, still in
    force) of the organisation and its cells and of its members; the year's inspections and the remedies overdue
    at the year's end (``RemedyQuerySet.overdue_on``) — as the dashboard's indicators count them."""
    day = min(dt.date(year, 12, 31), as_of)
    decisions = list(
        Discipline.objects.filter(organization=organization, decided_on__lte=day)
        .counting_in(year)
        .select_related("member", "cell", "organization")
        .order_by("decided_on", "pk")
    )
    own = [d for d in decisions if d.subject != Subject.MEMBER]
    of_members = [d for d in decisions if d.subject == Subject.MEMBER]
    named = _listed(
        [
            f"{d.subject_name} — {d.get_form_display().lower()} ({d.decided_on:%d/%m/%Y})"
            for d in own + of_members
        ]
    )
    section = Section("Kỷ luật, kiểm tra, giám sát")
    section.lines.append(
        Line(
            "Bị kỷ luật trong năm (tổ chức, chi bộ / đảng viên)",
            f"{len(own)} / {len(of_members)}" + (f": {named}" if decisions else ""),
            bool(decisions),
        )
    )
    programmes = organization.inspection_programmes.filter(year=year)
    concluded = programmes.filter(status=ProgrammeStatus.CONCLUDED, concluded_on__lte=day).count()
    overdue = list(
        Remedy.objects.filter(organization=organization, deadline__year__lte=year)
        .overdue_on(day)
        .order_by("deadline", "pk")
    )
    section.lines.append(
        Line(
            "Kiểm tra, giám sát đã kết luận; khắc phục quá hạn",
            f"{concluded}/{programmes.count()} cuộc; {len(overdue)} yêu cầu quá hạn"
            + (": " + _listed([f"hạn {r.deadline:%d/%m/%Y}" for r in overdue]) if overdue else ""),
            bool(overdue),
        )
    )
    return section


def rating_pack(organization: Organization, year: int, *, today: dt.date) -> RatingPack:
    """The evidence for `organization`'s rating of `year`, as of `today` (reports still missing count their
    days up to today)."""
    record = OrganizationYear.objects.filter(organization=organization, year=year).first()
    sections = [
        _reports(organization, year, today),
        _meetings(organization, year, today),
        _ratings(organization, year),
        _contributions(organization, year, today),
    ]
    sections += [s for s in (func(organization, year, today) for func in EVIDENCE_SECTIONS) if s is not None]
    return RatingPack(organization=organization, year=year, as_of=today, record=record, sections=sections)


def rating_pack_document(pack: RatingPack) -> OfficialDocument:
    """The pack on one A4 page: one table of every section's lines, in the Party's format (a working paper of
    the Bloc's office: a draft, not numbered)."""
    org = pack.organization
    rows, bold = [], set()
    for section in pack.sections:
        bold.add(len(rows))
        rows.append([section.title.upper(), ""])
        for line in section.lines:
            rows.append([line.label, line.value])
    rated = pack.record.party_rating if pack.record and pack.record.party_rating else ""
    body = [
        Paragraph(
            f"Tổ chức {org.code} · {org.name}; số liệu từ sổ sách của hệ thống đến ngày {pack.as_of:%d/%m/%Y}"
            + (f"; xếp loại đã ghi: {rated}" if rated else "")
            + ". Hồ sơ là căn cứ tham khảo, không thay ý kiến của cấp có thẩm quyền đánh giá, xếp loại."
        ),
        Table(columns=[Column("Nội dung", 72), Column("Kết quả", 98)], rows=rows, font_pt=9, bold_rows=bold),
    ]
    return OfficialDocument(
        letterhead=letterheads.letterhead(None, doc_type=DocumentType.BC, entry=None, year=pack.as_of.year),
        title=f"HỒ SƠ ĐÁNH GIÁ, XẾP LOẠI NĂM {pack.year}",
        summary=f"{letterheads.party_body_name(org)}",
        body=body,
        signature=letterheads.signature(None, None),
        recipients=["Ban Thường vụ Đảng ủy Khối", "Lưu Văn phòng Đảng ủy Khối"],
        filename=f"ho-so-danh-gia-{org.code}-{pack.year}",
    )
