"""Members made through the services, so that their events and status are what the rules say."""

import datetime as dt
import io
import itertools

import openpyxl

from members import services
from members.models import Candidate, Gender

_counter = itertools.count(1)


def member(organization, *, ceremony_on=dt.date(2020, 3, 10), full=False, name=None, by=None, **extra):
    n = next(_counter)
    decided = extra.pop("admission_decided_on", ceremony_on - dt.timedelta(days=5))
    return services.member_create(
        organization=organization,
        full_name=name or f"Nguyễn Văn Thử {n}",
        birth_date=extra.pop("birth_date", dt.date(1990, 1, 1)),
        gender=extra.pop("gender", Gender.NAM),
        admission_decided_on=decided,
        ceremony_on=ceremony_on,
        full_member_on=services.probation_ends_on(ceremony_on) if full else None,
        by=by,
        **extra,
    )


def candidate(organization, *, name=None, certificate=dt.date(2021, 1, 15), sponsors="Trần Văn A, Lê Thị B"):
    n = next(_counter)
    return Candidate.objects.create(
        organization=organization,
        full_name=name or f"Phạm Thị Ứng Viên {n}",
        birth_date=dt.date(1995, 6, 1),
        gender=Gender.NU,
        course_certificate_on=certificate,
        sponsors=sponsors,
    )


IMPORT_HEADERS = ["Mã tổ chức", "Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên",
                  "Ngày quyết định kết nạp", "Ngày vào Đảng", "Ngày chính thức", "Chi bộ"]  # fmt: skip


def import_sheet(rows, name: str = "dang-vien.xlsx") -> io.BytesIO:
    """A member import workbook (the import page's columns) holding `rows`, ready to post as a file."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(IMPORT_HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = name
    return out


def meeting(
    organization, cell, *, held_on, by, kind="thuong_ky", absent=(), excused=(), complete=True, **extra
):
    """A meeting recorded through the service: everyone of the cell's roll present but `absent` (without
    reason) and `excused` (members)."""
    attendance = {m.pk: ("unexcused", "") for m in absent}
    attendance.update({m.pk: ("excused", "Đi công tác") for m in excused})
    data = {"held_on": held_on, "kind": kind, "topics": "Kiểm điểm công việc tháng",
            "starts_at": dt.time(14, 0), "ends_at": dt.time(15, 45), **extra}  # fmt: skip
    return services.meeting_save(
        meeting=None, organization=organization, cell=cell, data=data, attendance=attendance,
        complete=complete, by=by,
    )  # fmt: skip


def dues_settings():
    """The dues rules (rates, shares) as the data migration seeds them — again, idempotently: a transactional
    test's flush elsewhere in the run removes migration data."""
    import importlib

    from django.apps import apps

    importlib.import_module("members.migrations.0007_dues_settings").seed(apps, None)
