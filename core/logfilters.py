"""Logging filters used by the settings' LOGGING (``khoi_portal/settings.py``).

- ``RoutineRefusals``: a 403 or a 404 is the portal working as designed (scoping answers 404 on purpose, a
  role's forbidden page 403); Django logs each with the exception's traceback, which buries real errors in the
  log. The record keeps its one line ("Not Found: /members/9/"), the traceback is dropped. Server errors keep
  theirs.
- ``CacheOutage``: the cache is an accelerator only (django-redis with ``IGNORE_EXCEPTIONS``): when it is
  down every cache call fails fast and the page is computed without it. django-redis logs each ignored failure
  with a traceback — several per request. This turns them into one warning line, at most once a minute per
  process, so an outage is visible without flooding the log.
"""

from __future__ import annotations

import logging
import threading
import time


class RoutineRefusals(logging.Filter):
    """Drop the traceback of a logged client error (status 400–499); the one-line message stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class CacheOutage(logging.Filter):
    """One warning line a minute (per process) while the cache is failing; the other records are dropped."""

    interval = 60.0
    _lock = threading.Lock()
    _last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - CacheOutage._last < self.interval:
                return False
            CacheOutage._last = now
        error = record.exc_info[1] if record.exc_info else None
        cause = getattr(error, "__cause__", None) or error
        record.msg = "cache unavailable, pages are computed without it (%s: %s); next warning in %d s at most"
        record.args = (
            type(cause).__name__ if cause else "?",
            str(cause)[:200] if cause else "",
            self.interval,
        )
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = None
        record.exc_text = None
        return True

    @classmethod
    def reset(cls) -> None:
        """Forget the last warning (tests)."""
        with cls._lock:
            cls._last = float("-inf")
