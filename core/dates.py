"""The one date parser for what people type or import: dd/mm/yyyy first (Vietnamese order), then dd-mm-yyyy,
dd.mm.yyyy and ISO (yyyy-mm-dd), and the dates spreadsheets already hold. Forms read dates through the project's format module
(khoi_portal/formats/vi: the same orders); imports and query strings through here."""

from __future__ import annotations

import datetime as dt

FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")  # DATE_INPUT_FORMATS of khoi_portal/formats/vi


def parse_date(value) -> dt.date | None:
    """`value` as a date (None when blank). Raises ValueError with a Vietnamese message when it is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text[:40]}” không phải ngày hợp lệ (dạng dd/mm/yyyy).")


def parse_year(raw, default: int | None, *, first: int = 1930, last: int = 2100) -> int | None:
    """?year=Y as an int between `first` and `last`; `default` when blank; None when it is nonsense."""
    if raw in (None, ""):
        return default
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if first <= year <= last else None
