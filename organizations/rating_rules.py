"""Consistency of a TCCSĐ's yearly party rating with the ratings beneath it — one home for the rule.

HD 21-HD/BTCTW 2019 §II.B.1.3 (organisation rated "Hoàn thành xuất sắc nhiệm vụ"): a chi bộ needs 100% of its
members rated HTNV or better, of whom at least 80% HTTNV or better; a đảng bộ, the same over its subordinate
party organisations (chi bộ trực thuộc, đảng bộ bộ phận). The year of the rating chooses the text
(docs/party-rules.md): 2019–2022 HD 21; from 2023 QĐ 124-QĐ/TW, whose guidance text we could not read — the
same thresholds are kept; from 2025 QĐ 366-QĐ/TW Art. 11.1 adds "no subordinate unit or member of the leadership
disciplined", which needs the discipline register (``discipline_evidence``: not yet recorded anywhere).

The member ratings are read through the reverse relation ``organization.member_ratings`` (the members app owns
the model; this layer must not import it).
"""

from dataclasses import dataclass, field

from .models import GOOD_RATINGS, CellRating, Kind, Organization, OrganizationYear, Rating

#: At least this share of the rated members (chi bộ) or subordinate organisations (đảng bộ) HTTNV or better.
GOOD_SHARE = 0.80
#: From this rating year on, QĐ 366-QĐ/TW Art. 11.1 also asks that nobody be disciplined.
DISCIPLINE_RULE_FROM = 2025


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
    problems: list[str] = field(default_factory=list)
    #: What could not be checked (nothing recorded to compare with): shown, not blocking.
    notes: list[str] = field(default_factory=list)

    @property
    def good_share(self) -> float | None:
        return self.good / self.rated if self.rated else None


def discipline_evidence(organization: Organization, year: int) -> list[str] | None:
    """QĐ 366-QĐ/TW 2025 Art. 11.1 (a collective rated HTXSNV: no subordinate unit or member of its leadership
    disciplined). Awaits the discipline register: returns None ("not checked") until disciplines are recorded;
    then it returns the list of disciplines that forbid HTXSNV."""
    return None


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
    if year >= DISCIPLINE_RULE_FROM:
        disciplined = discipline_evidence(organization, year)
        evidence.discipline_checked = disciplined is not None
        evidence.problems.extend(disciplined or [])
    return evidence


def party_rating_problems(record: OrganizationYear) -> list[str]:
    """Why `record.party_rating` cannot stand (empty when it can). Only HTXSNV has conditions here."""
    if record.party_rating != Rating.HTXSNV:
        return []
    return rating_evidence(record.organization, record.year).problems
