"""What stands beside each member on the members' rating page (Đánh giá, xếp loại đảng viên), from the records:
their cell meetings come from ``members.meetings``; what layers above members know about them (reports may not be
read here: an officer's own report duties, ``targets.evidence``) arrives through ``MEMBER_EVIDENCE``.

The notes are evidence, not a verdict: the rater still decides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from organizations.models import Organization

from .models import Member


@dataclass
class Note:
    label: str
    text: str
    #: Something the rater should look at (a late or missing report): shown in red.
    warn: bool = False


#: Functions ``(organization, year, members, as_of) -> {member id: [Note]}`` adding notes beside the members
#: being rated; register with ``@member_evidence`` (the module must be imported at start: its app's ``ready``).
MEMBER_EVIDENCE: list[Callable[[Organization, int, list[Member], dt.date], dict[int, list[Note]]]] = []


def member_evidence(func):
    """Add notes beside every member on the rating page (see ``MEMBER_EVIDENCE``)."""
    MEMBER_EVIDENCE.append(func)
    return func


def notes_for(
    organization: Organization, year: int, members: list[Member], as_of: dt.date
) -> dict[int, list]:
    """{member id: [Note]} from every registered source, for `members` rated by `organization` for `year`."""
    out: dict[int, list[Note]] = defaultdict(list)
    for func in MEMBER_EVIDENCE:
        for member_id, notes in func(organization, year, members, as_of).items():
            out[member_id].extend(notes)
    return dict(out)
