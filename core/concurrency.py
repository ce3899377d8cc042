"""Optimistic concurrency for edit pages: no edit silently overwrites another.

Every edit page carries, in a hidden input (``edit_version``), the state of what it edits *as it was when the
page was opened*: for each field, its stored value and how it reads. When the page is saved, the same state is
read again inside the save's transaction (the rows locked first); if any value changed in between — someone
else saved the same form, or another form that writes the same fields — nothing is saved and the page answers
**409** with what the user typed still in the form and, above it, what the other person changed ("when you
opened the page → now") and who did it. The page then carries the new state, and the fields the user had left
as they found them show the value stored now: saving again keeps both people's changes; where both changed the
same field, the user's value, re-read and saved again, wins deliberately.

One mechanism for every edit form: the view makes an ``EditGuard`` with a function that reads the state
(``model_state`` for one object's fields, or any ``{key: (label, value, text)}`` for a set of rows), runs the
save through ``guard.run(...)`` and renders ``guard.context()`` with ``status=guard.status``; the form's
template includes ``includes/edit_conflict.html`` (the banner) and ``includes/edit_version.html`` (the
hidden input, inside the form). A POST without the hidden input (a script, an old page) is not checked; a
garbled one answers 409.

The periodic report has its own revision counter (``reports.services.StaleRevision``), kept as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format

FIELD = "edit_version"
SALT = "core.concurrency.edit-version"
EMPTY = "—"

#: {key: (label, stored value as text, how it reads[, the value as a form field takes it])}
State = dict[str, tuple]


@dataclass(frozen=True)
class Change:
    label: str
    before: str  # when the user opened the page
    now: str  # what is stored now


@dataclass
class EditConflict(Exception):
    """What changed since the page was opened (and who saved last, when known)."""

    changes: list[Change]
    state: State = field(repr=False, default_factory=dict)
    who: str = ""
    when: dt.datetime | None = None


def text_of(value) -> str:
    """A stored value as the pages show it (dates dd/mm/yyyy, numbers 1.234,5, yes/no in Vietnamese)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, int | float | Decimal):
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def model_state(model: type[models.Model], pk, fields: list[str] | tuple[str, ...], *, lock=False) -> State:
    """The stored values of `fields` of the `model` row `pk`, read afresh from the database (never from the
    instance a bound form has already changed); locked for the transaction with ``lock``."""
    relations = [n for n in fields if model._meta.get_field(n).is_relation]
    rows = model._default_manager.filter(pk=pk).select_related(*relations)
    if lock:
        rows = rows.select_for_update(of=("self",)) if relations else rows.select_for_update()
    obj = rows.first()
    state: State = {}
    for name in fields:
        model_field = model._meta.get_field(name)
        label = str(getattr(model_field, "verbose_name", name))
        if obj is None:
            state[name] = (label, "", EMPTY)
            continue
        value = model_field.value_from_object(obj)
        if model_field.is_relation:
            text = text_of(getattr(obj, name))
        elif model_field.flatchoices:
            text = str(dict(model_field.flatchoices).get(value, text_of(value)))
            text = text if value not in (None, "") else EMPTY
        else:
            text = text_of(value)
        state[name] = (label, _raw(value), text, value)
    return state


def _raw(value) -> str:
    """A value as the state compares it (a related object by its key)."""
    value = getattr(value, "pk", value)
    return "" if value is None else str(value)


def history_last_change(model: type[models.Model], pk) -> tuple[str, dt.datetime | None]:
    """(who, when) of the last saved change of a model kept by django-simple-history ("", None otherwise)."""
    history = getattr(model, "history", None)
    if history is None:
        return "", None
    record = history.filter(id=pk).select_related("history_user").order_by("-history_date").first()
    if record is None:
        return "", None
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user is not None else ""
    return who, record.history_date


def token(state: State) -> str:
    """The hidden input's value: for each key, the stored value, how it reads and its label (signed)."""
    return signing.dumps(
        {k: [entry[1], entry[2], entry[0]] for k, entry in state.items()}, salt=SALT, compress=True
    )


def _changes(loaded: dict, current: State) -> list[Change]:
    changes = []
    for key, (label, raw, text, *_value) in current.items():
        before = loaded.get(key)
        if before is None:
            if raw:  # a row that appeared (a rating given, an officer added)
                changes.append(Change(label, EMPTY, text))
        elif before[0] != raw:
            changes.append(Change(label, before[1], text))
    for key, (raw, text, label) in loaded.items():
        if key not in current and raw:  # a row gone from the page (a member off the roll)
            changes.append(Change(label, text, EMPTY))
    return changes


class EditGuard:
    """One edit page's optimistic check (see the module docstring).

    `state()` reads the current state; `lock()`, when given, locks the rows it covers (``select_for_update``)
    at saving, and returns the state it read doing so (or anything else: the state is then read after it); `last_change()` -> (who, when) names the last saver. `forms`: the
    page's bound forms, whose fields are named like the state's keys (``prefix-name`` for a form with a prefix:
    the key is ``prefix:name``); after a conflict, a field the user left as they found it shows the value stored
    now (the state's fourth element)."""

    def __init__(
        self,
        request,
        state: Callable[[], State],
        *,
        lock: Callable[[], object] | None = None,
        last_change: Callable[[], tuple[str, dt.datetime | None]] | None = None,
        forms=(),
    ):
        self._state, self._lock, self._last_change = state, lock, last_change
        self._forms = list(forms)
        self.conflict: EditConflict | None = None
        self._posted = request.POST.get(FIELD) if request.method == "POST" else None
        self._loaded: dict | None = None
        if self._posted is not None:
            try:
                loaded = signing.loads(self._posted, salt=SALT)
            except (signing.BadSignature, ValueError, TypeError):
                loaded = None
            if isinstance(loaded, dict) and all(
                isinstance(v, list) and len(v) == 3 and all(isinstance(x, str) for x in v)
                for v in loaded.values()
            ):
                self._loaded = loaded

    def run(self, save: Callable[[], object]):
        """`save()` in one transaction with the check: its result, or False (nothing saved) on a conflict."""
        try:
            with transaction.atomic():
                if self._posted is not None:
                    locked = self._lock() if self._lock is not None else None
                    current = locked if isinstance(locked, dict) else self._state()
                    changes = _changes(self._loaded or {}, current)
                    if self._loaded is None:  # garbled: what was opened is unknown; show what is stored
                        changes = [Change(entry[0], "?", entry[2]) for entry in current.values()]
                    if changes:
                        who, when = self._last_change() if self._last_change else ("", None)
                        raise EditConflict(changes, current, who, when)
                return save()
        except EditConflict as conflict:
            self.conflict = conflict
            self._show_stored_where_untouched(conflict.state)
            return False

    def _field(self, key: str):
        """(form, field name) of a state key, or None."""
        prefix, _, name = key.rpartition(":")
        for form in self._forms:
            if (form.prefix or "") == prefix and name in form.fields:
                return form, name
        return None

    def _show_stored_where_untouched(self, current: State) -> None:
        if self._loaded is None:
            return
        for key, entry in current.items():
            before = self._loaded.get(key)
            found = self._field(key)
            if before is None or before[0] == entry[1] or len(entry) < 4 or found is None:
                continue
            form, name = found
            if form.fields[name].disabled or _raw(form.cleaned_data.get(name)) != before[0]:
                continue  # the user changed it too: their value stays in the form
            data = form.data.copy()
            data[form.add_prefix(name)] = entry[3]
            form.data = data

    def attach(self, *forms) -> EditGuard:
        """The page's bound forms (see the class docstring)."""
        self._forms.extend(f for f in forms if f is not None)
        return self

    @property
    def status(self) -> int:
        return 409 if self.conflict is not None else 200

    def context(self) -> dict:
        """``edit_version`` (the hidden input's value) and ``edit_conflict`` for the template. After a conflict
        the page carries the state now stored; after a refused form, the one the user opened."""
        if self.conflict is not None:
            version = token(self.conflict.state)
        elif self._loaded is not None:
            version = self._posted
        else:
            version = token(self._state())
        return {"edit_version": version, "edit_conflict": self.conflict}


def object_guard(request, model: type[models.Model], pk, fields) -> EditGuard:
    """The optimistic check of an edit page of one `model` row: its `fields` as stored, locked on save, and who
    changed it last (from its history)."""
    return EditGuard(
        request,
        lambda: model_state(model, pk, fields),
        lock=lambda: model_state(model, pk, fields, lock=True),
        last_change=lambda: history_last_change(model, pk),
    )
