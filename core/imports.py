"""The portal's one spreadsheet import wizard: upload → preview (a dry run: every row checked by the same
services that save it, errors and notes shown per row, nothing kept) → confirm (all-or-nothing).

An app describes its rows with a ``SpreadsheetResource`` (columns with their Vietnamese headers, how a cell is
read, how a row is saved — through the app's services) and serves the wizard with ``ImportWizard``. Reading
the file (XLSX or CSV in UTF-8), the per-row messages, the session token between preview and confirm, the
page (``core/import.html``) and the sizes allowed are written once, here.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import redirect, render
from import_export import resources

from .dates import parse_date
from .spreadsheets import Sheet, xlsx_bytes

PREVIEW_ROWS = 200


class ImportForm(forms.Form):
    """The file: XLSX (recognised by its content) or CSV (by its name, text only), at most `max_bytes`."""

    file = forms.FileField(label="Tệp danh sách (XLSX hoặc CSV)")

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].help_text = f"Tối đa {max_bytes // (1024 * 1024)} MB. Dòng đầu là tiêu đề cột."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(f"Tệp lớn hơn {self.max_bytes // (1024 * 1024)} MB.")
        head = upload.read(2048)
        upload.seek(0)
        if head.startswith(b"PK\x03\x04"):
            self.cleaned_data["format"] = "xlsx"
        elif upload.name.lower().endswith(".csv") and b"\x00" not in head:
            self.cleaned_data["format"] = "csv"
        else:
            raise ValidationError("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (UTF-8).")
        return upload


def read_dataset(content: bytes, fmt: str, *, required_headers: list[str]) -> tablib.Dataset:
    """The uploaded rows; ValidationError (Vietnamese) when the file cannot be read or lacks a column."""
    try:
        if fmt == "csv":
            dataset = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        else:
            dataset = tablib.Dataset().load(content, format="xlsx")
    except UnicodeDecodeError as error:
        raise ValidationError("Tệp CSV phải được lưu với mã UTF-8.") from error
    except Exception as error:  # tablib/openpyxl raise many kinds for a broken file
        raise ValidationError("Không đọc được tệp: tệp hỏng hoặc không đúng định dạng.") from error
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    missing = [h for h in required_headers if h not in headers]
    if missing:
        raise ValidationError(
            "Tệp thiếu cột: " + ", ".join(f"“{h}”" for h in missing) + ". Hãy dùng tệp mẫu."
        )
    dataset.headers = headers
    if dataset.height == 0:
        raise ValidationError("Tệp không có dòng dữ liệu nào.")
    return dataset


class SpreadsheetResource(resources.ModelResource):
    """One row of a file = one object. Subclasses set ``columns`` ((key, header) pairs), ``required`` (keys),
    ``name_header`` (the column that names a row in messages), and implement ``clean_values`` (checks that
    need several cells or the database: raise ValidationError({header: [...]})) and ``save_values`` (through
    the app's services). ``parse`` reads one cell (dates by ``core.dates``, text otherwise); ``notes`` gives
    warnings that do not stop the import (shown in the preview)."""

    columns: tuple[tuple[str, str], ...] = ()
    required: frozenset[str] = frozenset()
    name_header: str = ""

    class Meta:
        fields = ()
        skip_diff = True
        clean_model_instances = False
        use_transactions = True
        store_row_values = True
        store_instance = True

    def __init__(self, *, user=None, change_reason: str = ""):
        super().__init__()
        self.user = user
        #: Why the import may change figures of a closed year (asked for by the confirm step when the preview
        #: found such years: ``preview``).
        self.change_reason = change_reason

    @property
    def headers(self) -> list[str]:
        return [header for _, header in self.columns]

    @property
    def required_headers(self) -> list[str]:
        return [header for key, header in self.columns if key in self.required]

    def parse(self, key: str, raw, header: str):
        if key.endswith("_on") or key == "birth_date":
            return parse_date(raw)
        return "" if raw is None else str(raw)

    def clean_values(self, instance, values: dict) -> None:
        """Checks across cells; may set attributes on `instance` for ``save_values``."""

    def save_values(self, instance, values: dict) -> None:
        raise NotImplementedError

    def notes(self, values: dict) -> list[str]:
        return []

    def preview(self):
        """A context manager around the dry run that yields a set the services fill with what the import would
        touch and needs a reason for (the closed years of ``organizations.closing``); nothing by default."""
        return contextlib.nullcontext(set())

    def after_rows(self, result) -> None:
        """Called in the import's transaction once every row has passed (a dry run included): e.g. log the
        import's reason once. A ValidationError here undoes the whole import."""

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        values = {}
        for key, header in self.columns:
            raw = row.get(header)
            if isinstance(raw, str):
                raw = raw.strip()
            if key in self.required and raw in (None, ""):
                errors.setdefault(header, []).append("Thiếu dữ liệu.")
                continue
            try:
                values[key] = self.parse(key, raw, header)
            except ValueError as error:
                errors.setdefault(header, []).append(str(error))
            except ValidationError as error:
                for name, msgs in error.message_dict.items():
                    errors.setdefault(name if name != "__all__" else header, []).extend(msgs)
        if not errors:
            try:
                self.clean_values(instance, values)
            except ValidationError as error:
                for name, msgs in error.message_dict.items():
                    errors.setdefault(name, []).extend(msgs)
        if errors:
            raise ValidationError(errors)
        instance._import_values = values
        instance._import_notes = self.notes(values)

    def save_instance(self, instance, is_create, row, **kwargs):
        labels = dict(self.columns)
        try:
            self.save_values(instance, dict(instance._import_values))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    {
                        labels.get(name, "Dòng"): [m for e in errs for m in e.messages]
                        for name, errs in error.error_dict.items()
                    }
                ) from error
            raise ValidationError({"Dòng": error.messages}) from error

    def run(self, dataset: tablib.Dataset, *, dry_run: bool):
        """The import (a dry run for the preview); on a real run any invalid row rolls everything back. A dry run
        also lists in ``result.touched`` what ``preview`` collected (the closed years it would change)."""
        with transaction.atomic(), self.preview() if dry_run else contextlib.nullcontext(set()) as touched:
            result = self.import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
            if not row_problems(result, self.name_header):
                self.after_rows(result)
        result.touched = sorted(touched) if dry_run else []
        return result

    def template_workbook(self, example: list, *, sheet_name: str) -> bytes:
        """A workbook with the headers and one example row: the file to fill in."""
        return self.template_rows([example], sheet_name=sheet_name)

    def template_rows(self, rows: list[list], *, sheet_name: str) -> bytes:
        """A workbook with the headers and `rows` (e.g. what the portal already knows, for the user to complete)."""
        return xlsx_bytes([Sheet(sheet_name, rows, headers=self.headers)])


@dataclass
class RowReport:
    number: int
    name: str
    messages: list[str] = field(default_factory=list)


def row_problems(result, name_header: str) -> list[tuple[int, str, list[str]]]:
    """(row number in the file, name, messages) for every row that failed, in Vietnamese."""
    problems = []
    for number, row in enumerate(result.rows, start=2):
        found = []
        if row.validation_error is not None:
            for name, errs in row.validation_error.message_dict.items():
                found.extend(f"{name}: {m}" if name not in ("__all__", "Dòng") else m for m in errs)
        found += [f"Lỗi không xác định: {str(e.error)[:200]}" for e in row.errors]
        if found:
            problems.append((number, str((row.row_values or {}).get(name_header) or ""), found))
    for error in result.base_errors:
        problems.append((0, "", [str(error.error)[:200]]))
    return problems


def row_notes(result, name_header: str) -> list[tuple[int, str, list[str]]]:
    """(row number, name, warnings) for rows that will import but deserve a look (possible duplicates…)."""
    out = []
    for number, row in enumerate(result.rows, start=2):
        notes = getattr(getattr(row, "instance", None), "_import_notes", None)
        if notes:
            out.append((number, str((row.row_values or {}).get(name_header) or ""), notes))
    return out


@dataclass
class ImportWizard:
    """Upload → preview → confirm, for one kind of row. `resource` makes the app's resource for a user;
    `template` extends ``core/import.html``; `noun` names a row ("đảng viên"); `done` is where the list is."""

    resource: Callable[..., SpreadsheetResource]
    template: str
    session_key: str
    noun: str
    done: str
    max_bytes: int = 5 * 1024 * 1024
    #: The form of the confirm step asking why the import may change what is closed (``change_reason``).
    reason_form: type[forms.Form] | None = None
    extra: dict = field(default_factory=dict)

    def __call__(self, request):
        resource = self.resource(user=request.user)
        context = {
            "form": ImportForm(max_bytes=self.max_bytes),
            "noun": self.noun,
            "wizard": resource,
            **self.extra,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, resource, context)
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, max_bytes=self.max_bytes)
            context["form"] = form
            if form.is_valid():
                content = form.cleaned_data["file"].read()
                fmt = form.cleaned_data["format"]
                try:
                    dataset = read_dataset(content, fmt, required_headers=resource.required_headers)
                except ValidationError as error:
                    form.add_error("file", error)
                else:
                    result = resource.run(dataset, dry_run=True)
                    problems = row_problems(result, resource.name_header)
                    context.update(
                        closed_years=result.touched,
                        reason_form=self.reason_form() if self.reason_form else None,
                        problems=problems,
                        notes=row_notes(result, resource.name_header),
                        rows=len(result.rows),
                        headers=dataset.headers,
                        preview=[
                            (number, [(row.row_values or {}).get(h) for h in dataset.headers])
                            for number, row in enumerate(result.rows[:PREVIEW_ROWS], start=2)
                        ],
                    )
                    if not problems:
                        token = uuid.uuid4().hex
                        path = default_storage.save(f"imports/{token}.{fmt}", ContentFile(content))
                        request.session[self.session_key] = {"token": token, "path": path, "format": fmt}
                        context["token"] = token
        return render(request, self.template, context)

    def _confirm(self, request, resource: SpreadsheetResource, context: dict):
        pending = request.session.get(self.session_key)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(request, "Phiên nhập dữ liệu đã hết hạn: hãy tải tệp lên lại.")
            return redirect(request.path)
        try:
            with default_storage.open(pending["path"], "rb") as handle:
                dataset = read_dataset(
                    handle.read(), pending["format"], required_headers=resource.required_headers
                )
        except (OSError, ValidationError):
            messages.error(request, "Không đọc lại được tệp đã tải lên: hãy tải tệp lên lại.")
            return redirect(request.path)
        reason = ""
        if self.reason_form is not None:
            reason_form = self.reason_form(request.POST)
            reason = reason_form.cleaned_data.get("change_reason", "") if reason_form.is_valid() else ""
        resource = self.resource(user=request.user, change_reason=reason)
        try:
            result = resource.run(dataset, dry_run=False)
        except ValidationError as error:  # e.g. a closed year touched without a reason: nothing was imported
            preview = self.resource(user=request.user).run(dataset, dry_run=True)
            reason_form = self.reason_form(request.POST) if self.reason_form else None
            if reason_form is not None:
                reason_form.is_valid()
                reason_form.add_error("change_reason", error.messages)
            context.update(
                problems=[], rows=len(preview.rows), token=pending["token"], closed_years=preview.touched,
                reason_form=reason_form,
            )  # fmt: skip
            return render(request, self.template, context)
        problems = row_problems(result, resource.name_header)
        if problems:
            context.update(problems=problems, rows=len(result.rows))
            messages.error(request, "Dữ liệu đã thay đổi kể từ khi xem trước; không dòng nào được nhập.")
            return render(request, self.template, context)
        default_storage.delete(pending["path"])
        del request.session[self.session_key]
        messages.success(request, f"Đã nhập {len(result.rows)} {self.noun}.")
        return redirect(self.done)
