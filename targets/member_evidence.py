"""The evidence beside a MEMBER's year-end rating, printable in one click like the organisation's pack
(``targets.evidence``): their cell meetings (``members.meetings.member_year``), their dues months
(``members.dues.member_year``), the disciplines counting in the year (``DisciplineQuerySet.counting_in``) and
the grade already recorded, and for an officer of their TCCSĐ during the year, its reports owed on time / late /
missing (``targets.evidence.officer_report_duties``, the one timeliness rule).

Evidence, not a verdict: the cell still rates. It lives in targets because it reads discipline, a layer above
members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.documents import Column, OfficialDocument, Paragraph, Table
from discipline.models import Discipline
from members import dues, meetings
from members.models import DuesStatus, Member, MemberRating
from organizations import documents as letterheads
from organizations.models import DocumentType

from .evidence import Line, Section, _month_ranges, officer_report_duties


@dataclass
class MemberPack:
    member: Member
    year: int
    as_of: dt.date
    rating: MemberRating | None
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"Hồ sơ đánh giá, xếp loại đảng viên năm {self.year}"


def _months(months: list[int]) -> str:
    return f"{len(months)}" + (f" (tháng {_month_ranges(months)})" if months else "")


def _meetings(member: Member, year: int) -> Section:
    record = meetings.member_year(member, year)
    section = Section("Sinh hoạt chi bộ")
    if not record["meetings"]:
        section.lines.append(Line("Dự sinh hoạt", f"Chưa có buổi sinh hoạt nào năm {year} ghi tên đồng chí"))
        return section
    section.lines.append(
        Line("Dự sinh hoạt (buổi dự / buổi đã ghi)", f"{record['present']}/{record['meetings']}")
    )
    section.lines.append(Line("Vắng có lý do", f"{record['excused']}"))
    section.lines.append(
        Line(
            "Vắng không lý do (buổi; tháng)",
            f"{record['unexcused']}"
            + (f"; tháng {_month_ranges(record['unexcused_months'])}" if record["unexcused_months"] else "")
            + (" — bỏ sinh hoạt 3 tháng trong năm (Điều lệ, Đ. 8.1)" if record["flagged"] else ""),
            bool(record["unexcused"]),
        )
    )
    return section


def _dues(member: Member, year: int) -> Section:
    record = dues.member_year(member, year)
    section = Section("Đảng phí")
    if not any(record[status] for status in DuesStatus.values):
        section.lines.append(Line("Sổ đảng phí", f"Chưa ghi sổ năm {year} trong hệ thống: đối chiếu sổ giấy"))
        return section
    section.lines.append(Line("Tháng đã đóng", _months(record[DuesStatus.PAID])))
    section.lines.append(
        Line(
            "Tháng chưa đóng",
            _months(record[DuesStatus.UNPAID])
            + (" — chưa đóng 3 tháng trong năm (Điều lệ, Đ. 8.1)" if record["flagged"] else ""),
            bool(record[DuesStatus.UNPAID]),
        )
    )
    if record[DuesStatus.EXEMPT]:
        section.lines.append(Line("Tháng được miễn", _months(record[DuesStatus.EXEMPT])))
    return section


def _discipline(member: Member, year: int, as_of: dt.date) -> Section:
    decisions = list(
        Discipline.objects.filter(member=member, decided_on__lte=as_of)
        .counting_in(year)
        .order_by("decided_on")
    )
    named = "; ".join(f"{d.get_form_display()} ({d.decision_no}, {d.decided_on:%d/%m/%Y})" for d in decisions)
    return Section(
        "Kỷ luật",
        [
            Line(
                "Bị kỷ luật trong năm (HD 21-HD/BTCTW, mục II.B)",
                f"{len(decisions)}" + (f": {named}" if decisions else ""),
                bool(decisions),
            )
        ],
    )


def _duties(member: Member, year: int, as_of: dt.date) -> Section | None:
    """An officer's own report duties (bí thư, phó bí thư, văn phòng cấp ủy during `year`); None otherwise."""
    notes = officer_report_duties(member.organization, year, [member], as_of).get(member.pk)
    if not notes:
        return None
    return Section("Trách nhiệm báo cáo (cán bộ cấp ủy)", [Line(n.label, n.text, n.warn) for n in notes])


def member_pack(member: Member, year: int, *, today: dt.date) -> MemberPack:
    """The evidence for `member`'s rating of `year`, as of `today`."""
    rating = MemberRating.objects.filter(member=member, year=year).first()
    sections = [_meetings(member, year), _dues(member, year), _discipline(member, year, today)]
    duties = _duties(member, year, today)
    if duties is not None:
        sections.append(duties)
    return MemberPack(member=member, year=year, as_of=today, rating=rating, sections=sections)


def member_pack_document(pack: MemberPack) -> OfficialDocument:
    """The member's pack on one A4 page in the Party's format, under their TCCSĐ's letterhead (which rates its
    members): a working paper, not numbered."""
    member, org = pack.member, pack.member.organization
    rows, bold = [], set()
    for section in pack.sections:
        bold.add(len(rows))
        rows.append([section.title.upper(), ""])
        rows.extend([line.label, line.value] for line in section.lines)
    born = f", sinh ngày {member.birth_date:%d/%m/%Y}"
    cell = f", {member.cell.name}" if member.cell_id else ""
    body = [
        Paragraph(
            f"Đồng chí {member.full_name}{born}; {org.code} · {org.name}{cell}. Số liệu từ sổ sách của hệ thống đến "
            f"ngày {pack.as_of:%d/%m/%Y}"
            + (f"; xếp loại đã ghi: {pack.rating.grade}" if pack.rating else "")
            + ". Hồ sơ là căn cứ tham khảo, không thay ý kiến của chi bộ khi đánh giá, xếp loại."
        ),
        Table(columns=[Column("Nội dung", 72), Column("Kết quả", 98)], rows=rows, font_pt=10, bold_rows=bold),
    ]
    return OfficialDocument(
        letterhead=letterheads.letterhead(org, doc_type=DocumentType.BC, entry=None, year=pack.as_of.year),
        title=f"HỒ SƠ ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN NĂM {pack.year}",
        summary=f"Đồng chí {member.full_name}",
        body=body,
        signature=letterheads.signature(org, None),
        recipients=letterheads.default_recipients(org, "member_evidence"),
        filename=f"ho-so-danh-gia-dang-vien-{member.pk}-{pack.year}",
    )
