"""Targets of the Bloc's congress, one per year and indicator (the indicator registry is targets/indicators.py)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from organizations.models import Rating


class Comparator(models.TextChoices):
    GTE = "gte", "≥ (trở lên)"
    GT = "gt", "> (trên)"
    EQ = "eq", "= (đạt)"


class Target(models.Model):
    """A congress target for one year and one indicator."""

    year = models.PositiveSmallIntegerField("năm")
    indicator = models.CharField("chỉ tiêu", max_length=40)
    comparator = models.CharField("so sánh", max_length=4, choices=Comparator.choices)
    value = models.DecimalField("giá trị", max_digits=10, decimal_places=2, default=Decimal("0"))
    #: For rating targets (bloc_rating), the grade to reach instead of a number.
    rating = models.CharField("xếp loại cần đạt", max_length=10, choices=Rating.choices, blank=True)
    wording = models.TextField("nguyên văn nghị quyết")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    # The tables keep the names they had when targets lived in the reports app (migration 0001 of targets).
    history = HistoricalRecords(table_name="reports_historicaltarget")

    class Meta:
        db_table = "reports_target"
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator"],
                name="target_unique_indicator_year",
                violation_error_message="Năm này đã có chỉ tiêu cho chỉ số này.",
            )
        ]

    def __str__(self):
        return f"{self.year} · {self.indicator}"


class YearSnapshot(models.Model):
    """The dashboard of a closed year as it stood when staff closed it (chốt số liệu năm): every figure, its
    status and the day each was read as of. The page of a closed year shows these figures; one that differs now
    is marked "đã điều chỉnh sau khi chốt" with this value as "before" (``targets.dashboard``)."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    as_of = models.DateField("số liệu đến ngày")
    #: [{"code", "label", "unit", "value", "value_text", "numerator", "denominator", "status", "as_of"}]
    figures = models.JSONField("số liệu đã chốt")
    taken_at = models.DateTimeField("chốt lúc", auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người chốt"
    )

    class Meta:
        verbose_name = "số liệu năm đã chốt"
        verbose_name_plural = "số liệu năm đã chốt"
        ordering = ["-year"]

    def __str__(self):
        return f"Số liệu năm {self.year} đã chốt"

    def figure(self, code: str) -> dict | None:
        return next((f for f in self.figures if f["code"] == code), None)
