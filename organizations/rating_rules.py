"""Consistency of a TCCSĐ's yearly party rating with the ratings beneath it — one home for the rule.

HD 21-HD/BTCTW 2019 §II.B.1.3 (organisation rated "Hoàn thành xuất sắc nhiệm vụ"): a chi bộ needs 100% of its
members rated HTNV or better, of whom at least 80% HTTNV or better; a đảng bộ, the same over its subordinate
party organisations (chi bộ trực thuộc, đảng bộ bộ phận). The year of the rating chooses the text
(``rating_text``, docs/party-rules.md): 2019–2022 HD 21-HD/BTCTW 2019; 2023–2024 QĐ 124-QĐ/TW 2023 (Art. 12:
a collective rated HTXSNV has no subordinate organisation and no member of its leadership disciplined; its
guidance HD 43-HD/BTCTW was not found — the HD 21 thresholds 100% / 80% are kept); from 2025 QĐ 366-QĐ/TW 2025
(Art. 11.1: the same "no subordinate unit or member of the leadership disciplined", ``discipline_evidence``).

Discipline caps every rating (``member_discipline_problem``, ``organization_discipline_problems``): HD 21-HD/BTCTW
2019 §II.B rates "Không hoàn thành nhiệm vụ" a member disciplined in the year (one violation counted once) and a
collective one of whose leadership was disciplined at cảnh cáo or above. The same caps are kept for the ratings of
2023 on (QĐ 124, QĐ 366: their member clauses were not read — docs/party-rules.md).

The member ratings and the disciplines are read through the reverse relations ``organization.member_ratings``,
``organization.disciplines`` and ``member.disciplines`` (the members and discipline apps own the models; this
layer must not import them). "Disciplined in year Y" is the discipline register's one rule,
``DisciplineQuerySet.counting_in(year)``, asked through those relations.
"""

from dataclasses import dataclass, field

from .models import GOOD_RATINGS, CellRating, Kind, Organization, OrganizationYear, Rating

#: At least this share of the rated members (chi bộ) or subordinate organisations (đảng bộ) HTTNV or better.
GOOD_SHARE = 0.80
#: From this rating year on, a collective rated HTXSNV has no subordinate unit and no member of its leadership
#: disciplined: QĐ 124-QĐ/TW 2023 Art. 12 (the ratings of 2023 and 2024), then QĐ 366-QĐ/TW 2025 Art. 11.1.
DISCIPLINE_RULE_FROM = 2023
QD_124_FROM = 2023
QD_366_FROM = 2025


def rating_text(year: int) -> str:
    """The text that governs the party ratings of `year` (the year of the fact chooses the rule)."""
    if year >= QD_366_FROM:
        return "Quy định 366-QĐ/TW 2025"
    if year >= QD_124_FROM:
        return "Quy định 124-QĐ/TW 2023"
    return "Hướng dẫn 21-HD/BTCTW 2019"


def discipline_clause(year: int) -> str:
    """The clause "no subordinate unit or member of the leadership disciplined" of `year`'s text."""
    return "Quy định 366-QĐ/TW, Điều 11.1" if year >= QD_366_FROM else "Quy định 124-QĐ/TW, Điều 12"


@dataclass
class RatingEvidence:
    """What a TCCSĐ's HTXSNV rating for a year rests on, and what stands in its way."""

    year: int
    over: str  # "members" (chi bộ cơ sở) or "cells" (đảng bộ cơ sở)
    rated: int = 0
    at_least_done: int = 0  # HTNV or better
    good: int = 0  # HTTNV or better
    unrated: int = 0  # subordinate organisations without a rating (đảng bộ only)
    discipline_checked: bool = False
    #: The disciplines of the organisation, its cells and members counting in the year (shown beside the form).
    disciplines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: What could not be checked (nothing recorded to compare with): shown, not blocking.
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text that governs this year's ratings (``rating_text``)."""
        return rating_text(self.year)

    @property
    def discipline_clause(self) -> str | None:
        """The clause forbidding HTXSNV to a collective with discipline beneath it, from 2023 (None before)."""
        return discipline_clause(self.year) if self.year >= DISCIPLINE_RULE_FROM else None

    @property
    def good_share(self) -> float | None:
        return self.good / self.rated if self.rated else None


#: "Từ cảnh cáo trở lên" (HD 21-HD/BTCTW 2019 §II.B): the forms at least as heavy as a warning.
WARNING_OR_ABOVE = ("canh_cao", "cach_chuc", "khai_tru", "giai_tan")


def _decision(d) -> str:
    return f"{d.get_form_display().lower()} (Quyết định {d.decision_no}, ngày {d.decided_on:%d/%m/%Y})"


def disciplines_counting_in(owner, year: int):
    """`owner`'s disciplines (a member or an organisation, through the reverse relation ``disciplines``) that
    count in the ratings of `year` — the discipline register's rule ``counting_in``."""
    return owner.disciplines.counting_in(year).select_related("member", "cell")


def disciplined_member_ids(member_model, ids, year: int) -> dict[int, object]:
    """{member id: a discipline counting in `year`} among `ids`, in one query (for the bulk rating form)."""
    disciplines = member_model._meta.get_field("disciplines").related_model._default_manager
    return {d.member_id: d for d in disciplines.counting_in(year).filter(member_id__in=list(ids))}


def member_discipline_problem(member, year: int, grade: str, discipline=None) -> str | None:
    """HD 21-HD/BTCTW 2019 §II.B ("Không hoàn thành nhiệm vụ": "đảng viên bị thi hành kỷ luật trong năm — một vi
    phạm bị xử lý kỷ luật chỉ tính một lần khi xếp loại"): a member disciplined in `year` is rated KHTNV and
    nothing above. Returns why `grade` is refused, or None. `discipline` may be given (bulk form: one query)."""
    if grade == Rating.KHTNV:
        return None
    if discipline is None:
        discipline = disciplines_counting_in(member, year).first()
    if discipline is None:
        return None
    return (
        f"{member.full_name} bị kỷ luật {_decision(discipline)} trong năm {year}: chỉ được xếp loại "
        "“Không hoàn thành nhiệm vụ” (Hướng dẫn 21-HD/BTCTW 2019, Mục II.B)."
    )


def organization_discipline_problems(organization: Organization, year: int, grade: str) -> list[str]:
    """Why `organization`'s party rating `grade` for `year` cannot stand because of discipline (empty when it
    can):

    - HD 21-HD/BTCTW 2019 §II.B (collective "Không hoàn thành nhiệm vụ"): a member of its leadership (cấp ủy
      viên) disciplined at cảnh cáo or above in the year; the organisation itself disciplined in the year is
      treated the same (the collective disciplined: inferred, the clause read names the leadership member);
    QĐ 124-QĐ/TW 2023 Art. 12 / QĐ 366-QĐ/TW 2025 Art. 11.1 (HTXSNV from 2023) is part of the HTXSNV evidence
    (``rating_evidence``).
    """
    if not grade or grade == Rating.KHTNV:
        return []
    problems = []
    decisions = list(disciplines_counting_in(organization, year))
    for d in decisions:
        if d.subject == "organization":
            problems.append(
                f"Tổ chức bị kỷ luật {_decision(d)} trong năm {year}: chỉ được xếp loại “Không hoàn thành nhiệm vụ”."
            )
        elif d.subject == "member" and d.is_leadership and d.form in WARNING_OR_ABOVE:
            problems.append(
                f"Cấp ủy viên {d.member.full_name} bị kỷ luật {_decision(d)} trong năm {year}: tập thể chỉ được xếp "
                "loại “Không hoàn thành nhiệm vụ” (Hướng dẫn 21-HD/BTCTW 2019, Mục II.B)."
            )
    return problems


def discipline_evidence(organization: Organization, year: int, decisions=None) -> list[str]:
    """QĐ 124-QĐ/TW 2023 Art. 12 (ratings of 2023–2024) and QĐ 366-QĐ/TW 2025 Art. 11.1 (from 2025): a
    collective rated HTXSNV has no subordinate unit or member of its leadership disciplined — the disciplines
    in the register that forbid HTXSNV (empty when none)."""
    if decisions is None:
        decisions = list(disciplines_counting_in(organization, year))
    clause = discipline_clause(year)
    found = []
    for d in decisions:
        if d.subject == "cell":
            found.append(f"Chi bộ trực thuộc {d.cell.name} bị kỷ luật {_decision(d)} ({clause}).")
        elif d.subject == "member" and d.is_leadership:
            found.append(f"Cấp ủy viên {d.member.full_name} bị kỷ luật {_decision(d)} ({clause}).")
    return found


def rating_evidence(organization: Organization, year: int) -> RatingEvidence:
    """The evidence for `organization`'s party rating of `year` (two queries at most). When nothing beneath it
    is rated in the portal for that year, the rule cannot be checked: a note, not a refusal; once some are
    rated, every one must be (an unrated chi bộ trực thuộc stands in the way)."""
    if organization.kind == Kind.DANG_BO_CO_SO:
        evidence = RatingEvidence(year=year, over="cells")
        cells = list(organization.cells.filter(is_active=True))
        grades = dict(
            CellRating.objects.filter(cell__in=cells, year=year).values_list("cell_id", "party_rating")
        )
        values = list(grades.values())
        evidence.unrated = sum(1 for c in cells if c.pk not in grades)
    else:
        evidence = RatingEvidence(year=year, over="members")
        values = list(organization.member_ratings.filter(year=year).values_list("grade", flat=True))
    evidence.rated = len(values)
    evidence.good = sum(1 for g in values if g in GOOD_RATINGS)
    evidence.at_least_done = sum(1 for g in values if g != Rating.KHTNV)
    what = "đảng viên" if evidence.over == "members" else "chi bộ trực thuộc"
    if evidence.rated == 0:
        # Nothing recorded (a year kept on paper, or imported): nothing to compare with — said, not refused.
        evidence.notes.append(f"Chưa có xếp loại {what} năm {year} trong hệ thống để đối chiếu.")
        evidence.unrated = 0
    else:
        if evidence.at_least_done < evidence.rated:
            evidence.problems.append(
                f"{evidence.rated - evidence.at_least_done} {what} không hoàn thành nhiệm vụ: "
                "cần 100% từ “Hoàn thành nhiệm vụ” trở lên."
            )
        if evidence.good < GOOD_SHARE * evidence.rated:
            evidence.problems.append(
                f"Chỉ {evidence.good}/{evidence.rated} {what} từ “Hoàn thành tốt nhiệm vụ” trở lên: cần ít nhất 80%."
            )
    if evidence.unrated:
        evidence.problems.append(f"{evidence.unrated} chi bộ trực thuộc chưa được xếp loại năm {year}.")
    # The discipline register is consulted for every year (HD 21 §II.B; from 2023 also QĐ 124 Art. 12, from
    # 2025 QĐ 366 Art. 11.1).
    evidence.discipline_checked = True
    evidence.disciplines = [
        f"{d.subject_name}: {_decision(d)}" for d in disciplines_counting_in(organization, year)
    ]
    if year >= DISCIPLINE_RULE_FROM:
        evidence.problems.extend(discipline_evidence(organization, year))
    return evidence


def party_rating_problems(record: OrganizationYear) -> list[str]:
    """Why `record.party_rating` cannot stand (empty when it can): HTXSNV rests on the ratings beneath it
    (``rating_evidence``); every grade above KHTNV is capped by discipline in the year
    (``organization_discipline_problems``)."""
    if not record.party_rating:
        return []
    problems = []
    if record.party_rating == Rating.HTXSNV:
        problems.extend(rating_evidence(record.organization, record.year).problems)
    problems.extend(organization_discipline_problems(record.organization, record.year, record.party_rating))
    return problems
