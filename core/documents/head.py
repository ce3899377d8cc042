"""The header's lines as both writers print them: fitted once, with the same breaks and sizes."""

from __future__ import annotations

from dataclasses import dataclass

from .layout import TEXT_WIDTH_MM, fit_lines, header_width_mm
from .model import Letterhead

#: The summary line (trích yếu) is centred under the title, a little narrower than the text.
SUMMARY_WIDTH_MM = TEXT_WIDTH_MM - 20


@dataclass(frozen=True)
class Head:
    superior_lines: tuple[str, ...]
    superior_pt: float
    issuer_lines: tuple[str, ...]
    issuer_pt: float


def fit_head(letterhead: Letterhead) -> Head:
    """The superior body (regular) and the issuing body (bold), each in at most two lines of the left column."""
    width = header_width_mm()
    superior = fit_lines(letterhead.superior.upper(), width_mm=width, bold=False)
    issuer = fit_lines(letterhead.issuer.upper(), width_mm=width, bold=True)
    return Head(
        superior_lines=superior.lines,
        superior_pt=superior.size_pt,
        issuer_lines=issuer.lines,
        issuer_pt=issuer.size_pt,
    )


def summary_lines(summary: str) -> tuple[str, ...]:
    """The trích yếu (14 pt bold) in as few lines as it takes, balanced, so no word is left alone on the last
    line ("… năm" / "2021")."""
    return fit_lines(summary, width_mm=SUMMARY_WIDTH_MM, bold=True, sizes=(14,), max_lines=4).lines
