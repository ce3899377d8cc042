"""The dues rules as data (staff edit them at /members/dues/settings/): the categories and rates of Quyết định
342-QĐ/TW 2010 until 31/01/2026 and of Quy định 01-QĐ/TW 2026 from 01/02/2026, and the shares kept per level.
No app import inside RunPython: the historical models only."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

QD342 = "Quyết định 342-QĐ/TW ngày 28/12/2010, Điều 2"
HD03 = "Hướng dẫn 03-HD/VPTW ngày 06/7/2016 (đảng viên khác trong độ tuổi lao động, khu vực còn lại)"
QD01 = "Quy định 01-QĐ/TW ngày 03/02/2026 (chế độ đảng phí)"
OLD_END = dt.date(2026, 1, 31)
NEW_START = dt.date(2026, 2, 1)
START = dt.date(2011, 4, 1)

RATES = [
    # category, label, from, to, percent, fixed, base, source
    ("hanh_chinh", "Cơ quan hành chính, tổ chức chính trị, chính trị – xã hội, lực lượng vũ trang",
     START, OLD_END, "1.00", None, "tiền lương, các khoản phụ cấp", QD342),
    ("huu_tri", "Đảng viên hưởng lương hưu", START, OLD_END, "0.50", None, "lương hưu", QD342),
    ("doanh_nghiep", "Doanh nghiệp, đơn vị sự nghiệp",
     START, OLD_END, "1.00", None, "tiền lương và thu nhập khác từ quỹ tiền lương", QD342),
    ("hoc_sinh", "Học sinh, sinh viên (không hưởng lương)", START, OLD_END, None, 6000, "", HD03),
    ("khac", "Đảng viên khác", START, None, None, 6000, "", HD03),
    ("hanh_chinh", "Cơ quan hành chính, tổ chức chính trị, chính trị – xã hội, lực lượng vũ trang",
     NEW_START, None, "1.00", None, "tiền lương đóng bảo hiểm xã hội bắt buộc (tháng trước)", QD01),
    ("huu_tri", "Đảng viên hưởng lương hưu", NEW_START, None, "0.50", None, "lương hưu", QD01),
    ("doanh_nghiep", "Doanh nghiệp, đơn vị sự nghiệp",
     NEW_START, None, "1.00", None, "tiền lương đóng bảo hiểm xã hội bắt buộc (tháng trước)", QD01),
    ("hoc_sinh", "Học sinh, sinh viên (không hưởng lương)", NEW_START, None, None, 5000, "", QD01),
]  # fmt: skip


def seed(apps, schema_editor):
    DuesRate = apps.get_model("members", "DuesRate")
    DuesPolicy = apps.get_model("members", "DuesPolicy")
    for category, label, start, end, percent, fixed, base, source in RATES:
        DuesRate.objects.get_or_create(
            category=category,
            valid_from=start,
            defaults={
                "label": label,
                "valid_to": end,
                "percent": Decimal(percent) if percent else None,
                "fixed_amount": fixed,
                "base_label": base,
                "source": source,
            },
        )
    DuesPolicy.objects.get_or_create(
        valid_from=START,
        defaults={
            "cell_keeps_percent": Decimal("40"),
            "organization_keeps_percent": Decimal("70"),
            "remit_every_months": 3,
            "remit_due_days": 15,
            "source": "Quyết định 342-QĐ/TW 2010, Điều 4 (chi bộ trực thuộc giữ 30–50%, tổ chức cơ sở đảng giữ 70%); "
            "kỳ và hạn nộp do Đảng ủy Khối quy định",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0006_dues")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
