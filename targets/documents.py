"""The dashboard as a leadership brief (báo cáo nhanh) of one or two A4 pages in the Party's format: the
letterhead, "số liệu đến ngày …", the year's targets with value, target and status, and the charts drawn as
pictures (no JavaScript in a PDF or a Word file). The per-organisation table is left to the XLSX export, so
nothing is cut off. A draft until staff issue it a number from the Bloc's register (one brief per year; a
numbered brief is computed as of its issue date)."""

from __future__ import annotations

import datetime as dt

from core.documents import (
    Column,
    Heading,
    Image,
    ImageRow,
    OfficialDocument,
    Paragraph,
    Series,
    Table,
    bar_chart,
    vn_decimal,
    vn_int,
)
from organizations import documents as letterheads
from organizations.models import DocumentType, OutgoingDocument
from organizations.selectors import outgoing_document_for

from . import dashboard as dash
from . import indicators as ind

DASHBOARD_KIND = "dashboard"
CHART_W, CHART_H = 80, 56


def brief_subject(year: int) -> str:
    return f"Tình hình thực hiện các chỉ tiêu Nghị quyết Đại hội năm {year}"


def brief_entry(year: int) -> OutgoingDocument | None:
    return outgoing_document_for(DASHBOARD_KIND, str(year))


def _value(card: dash.Card) -> str:
    if card.value is None:
        return "Chưa có số liệu"
    if card.unit == ind.PERCENT:
        text = f"{vn_decimal(card.value)}%"
        if card.result.denominator:
            text += f"\n({vn_int(card.result.numerator)}/{vn_int(card.result.denominator)})"
        return text
    if card.unit == ind.RATING:
        return str(card.value)
    return vn_int(card.value)


def _target(card: dash.Card) -> str:
    target = card.target
    sign = dash.COMPARATOR_SIGNS.get(target.comparator, target.comparator)
    if card.unit == ind.RATING:
        return f"{target.rating}"
    if card.unit == ind.PERCENT:
        return f"{sign} {vn_decimal(target.value)}%"
    return f"{sign} {vn_int(target.value)}"


def _status(card: dash.Card) -> str:
    text = card.status_label
    if card.unit == ind.COUNT and card.pace is not None and card.status not in (dash.MET, None):
        text += f"\n(tiến độ cần đạt {vn_int(round(card.pace))})"
    return text


def _charts(d: dash.Dashboard) -> list:
    charts = d.charts or {}
    pictures = []
    adm = charts.get("admissions")
    if adm:
        pictures.append(
            Image(
                bar_chart(
                    "Kết nạp đảng viên, cộng dồn theo tháng",
                    [label.replace("T", "") for label in adm["labels"]],
                    [Series("Thực hiện", adm["actual"])],
                    line=Series("Tiến độ cần đạt", adm["pace"]) if adm.get("pace") else None,
                    width_mm=CHART_W,
                    height_mm=CHART_H,
                    values_on_bars=False,
                ),
                CHART_W,
                "Biểu đồ 1. Kết nạp đảng viên (người)",
            )
        )
    study = charts.get("study")
    if study and study["labels"]:
        pictures.append(
            Image(
                bar_chart(
                    "Học tập, quán triệt nghị quyết (%)",
                    study["labels"],
                    [Series("Đảng viên", study["members"]), Series("Quần chúng", study["masses"])],
                    width_mm=CHART_W,
                    height_mm=CHART_H,
                    percent=True,
                ),
                CHART_W,
                "Biểu đồ 2. Tỷ lệ học tập nghị quyết",
            )
        )
    ratings = charts.get("ratings")
    if ratings:
        pictures.append(
            Image(
                bar_chart(
                    "Xếp loại tổ chức cơ sở đảng",
                    ["HTXSNV", "HTTNV", "HTNV", "KHTNV", "Chưa XL"],
                    [Series("Số tổ chức", ratings["counts"])],
                    width_mm=CHART_W,
                    height_mm=CHART_H,
                ),
                CHART_W,
                "Biểu đồ 3. Xếp loại tổ chức cơ sở đảng",
            )
        )
    timeliness = charts.get("timeliness")
    if timeliness and timeliness["labels"]:
        groups: dict[str, list[int]] = {}
        for label, on_time, late, missing in zip(
            timeliness["labels"],
            timeliness["on_time"],
            timeliness["late"],
            timeliness["missing"],
            strict=True,
        ):
            kind = "6 tháng" if label.startswith("6 tháng") else label.split()[0]
            sums = groups.setdefault(kind, [0, 0, 0])
            sums[0] += on_time
            sums[1] += late
            sums[2] += missing
        labels = list(groups)
        pictures.append(
            Image(
                bar_chart(
                    "Báo cáo định kỳ theo loại kỳ",
                    labels,
                    [
                        Series("Đúng hạn", [groups[k][0] for k in labels]),
                        Series("Muộn", [groups[k][1] for k in labels]),
                        Series("Chưa nộp", [groups[k][2] for k in labels]),
                    ],
                    width_mm=CHART_W,
                    height_mm=CHART_H,
                ),
                CHART_W,
                "Biểu đồ 4. Tình hình nộp báo cáo (số báo cáo)",
            )
        )
    return [ImageRow(pictures[i : i + 2]) for i in range(0, len(pictures), 2)]


def dashboard_document(year: int, *, today: dt.date) -> OfficialDocument:
    entry = brief_entry(year)
    d = dash.build_dashboard(year, on=entry.issued_on if entry else today)
    cards = d.target_cards
    body: list = [Heading(f"I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NĂM {year}")]
    if cards:
        body.append(
            Table(
                columns=[
                    Column("TT", 10, "center"),
                    Column("Chỉ tiêu", 65),
                    Column("Kết quả", 35, "right"),
                    Column("Chỉ tiêu đề ra", 27, "center"),
                    Column("Đánh giá", 28, "center"),
                ],
                rows=[
                    [str(i), card.label, _value(card), _target(card), _status(card)]
                    for i, card in enumerate(cards, start=1)
                ],
                font_pt=12,
            )
        )
        body.append(
            Paragraph(
                f"Đến ngày {d.as_of:%d/%m/%Y}: {d.summary_line}"
                + (
                    " (năm đã kết thúc)."
                    if d.closed
                    else "; các chỉ tiêu còn lại được đánh giá theo tiến độ."
                )
            )
        )
        body.append(Paragraph(d.results["reports_on_time"].extra.get("scope", ""), italic=True))
    else:
        body.append(Paragraph(f"Năm {year} chưa có chỉ tiêu."))
    rows = _charts(d)
    if rows:
        body.append(Heading("II. BIỂU ĐỒ"))
        body += rows
    body.append(
        Paragraph(
            "Số liệu chi tiết của từng tổ chức cơ sở đảng: xem tệp Excel kèm theo "
            f"(trang Chỉ tiêu, “Xuất Excel”, chi-tieu-{year}.xlsx).",
            italic=True,
        )
    )
    return OfficialDocument(
        letterhead=letterheads.letterhead(None, doc_type=DocumentType.BC, entry=entry, year=today.year),
        title="BÁO CÁO NHANH",
        summary=brief_subject(year),
        subtitle=f"(Số liệu đến ngày {d.as_of:%d/%m/%Y})",
        body=body,
        signature=letterheads.signature(None, entry),
        recipients=letterheads.recipients_for(None, DASHBOARD_KIND, entry),
        filename=f"bao-cao-chi-tieu-{year}",
    )


def register_template_checks() -> None:
    """An uploaded Word template must also render the dashboard brief of the newest year with targets (its
    charts are pictures: the one element the reports' documents do not have)."""
    from django.utils import timezone

    from organizations.documents import template_check

    from .models import Target

    @template_check
    def newest_brief():
        year = Target.objects.order_by("-year").values_list("year", flat=True).first()
        return dashboard_document(year, today=timezone.localdate()) if year else None
