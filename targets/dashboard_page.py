"""The dashboard page's body (``targets.views.dashboard``), written in Python and cached until the data it read
changes (``core.datacache.cached_fragment``, as ``{% datacache %}`` does for a template).

Right after every write that changes a figure the body is made afresh; through the template engine its forty-odd
tags and lookups cost as much as bringing the figures themselves up to date, so the page is written here, from the
parts already written in Python (``targets.dashboard``: the cards, the table of periods, the table by
organisation). Every value is escaped here. The body is the same for every user of a role: the year-closing form's
CSRF field is left as ``CSRF_FIELD`` and put in per request (``with_csrf``)."""

from __future__ import annotations

import datetime as dt
from html import escape

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe

from core import datacache
from core.templatetags.portal import page_nav

from . import dashboard as dash
from . import services

#: Where the year-closing form's CSRF field goes (a comment: escaped data can never contain "<").
CSRF_FIELD = "<!--csrf-field-->"


def cached_body(year: int, page: str, *, staff: bool) -> str:
    """The body of the dashboard of `year` as staff (`staff`) or the other readers see it, table page `page`;
    from the cache while the data it read is unchanged."""
    return datacache.cached_fragment(
        "dashboard_body", (dash.dashboard_key(year), staff, page), lambda: body_html(year, page, staff=staff)
    )


def with_csrf(body: str, request) -> SafeString:
    """`body` with the request's own CSRF field in the year-closing form (a token is tied to its user's cookie:
    one cached for another user is refused)."""
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    return mark_safe(body.replace(CSRF_FIELD, field))  # noqa: S308 — escaped in body_html, the token here


def _day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value:%d/%m/%Y}"


def _by(user) -> str:
    return escape(user.get_full_name() or user.username)


def body_html(year: int, page: str, *, staff: bool) -> str:
    """The page: heading and exports, the year's closing (its snapshot and changes, or the form to close it),
    summary and legend, the cards, the other figures, the charts' data, the reports by period and one page of
    the table by organisation."""
    d = dash.build_dashboard(year)
    y = f"{year:d}"
    dashboard_url = reverse("dashboard:dashboard")
    out = [
        '<div class="d-flex flex-wrap align-items-center gap-2 mb-3">\n'
        f'  <h1 class="h4 mb-0 me-auto">Chỉ tiêu năm {y} <small class="text-muted fs-6">số liệu đến ngày '
        f"{_day(d.as_of)}{' (năm đã kết thúc)' if d.closed else ''}</small></h1>\n"
        f'  <form method="get" class="d-flex gap-2 d-print-none" action="{dashboard_url}">\n'
        '    <label class="visually-hidden" for="year-select">Năm</label>\n'
        '    <select id="year-select" name="year" class="form-select form-select-sm">\n'
        f"      {dash.year_options_html(dash.available_years(), year)}\n"
        "    </select>\n"
        '    <button type="submit" class="btn btn-sm btn-outline-secondary">Xem</button>\n'
        "  </form>\n"
        '  <div class="btn-group btn-group-sm d-print-none" role="group" aria-label="Xuất dữ liệu">\n'
        f'    <a class="btn btn-outline-secondary" href="{reverse("dashboard:export_xlsx")}?year={y}">Xuất Excel</a>\n'
        f'    <a class="btn btn-outline-secondary" href="{reverse("dashboard:data_json")}?year={y}">'
        "Dữ liệu cho phần mềm khác (JSON)</a>\n"
        '    <button type="button" class="btn btn-outline-secondary" data-action="print">In</button>\n'
        "  </div>\n"
        '  <div class="btn-group btn-group-sm d-print-none" role="group" aria-label="Báo cáo nhanh">\n'
    ]
    brief = reverse("dashboard:brief")
    out.append(
        f'    <a class="btn btn-outline-primary" href="{brief}?year={y}&amp;format=pdf">Báo cáo nhanh PDF</a>\n'
        f'    <a class="btn btn-outline-primary" href="{brief}?year={y}&amp;format=docx">Báo cáo nhanh Word</a>\n'
    )
    if staff:
        out.append(
            f'    <a class="btn btn-primary" href="{reverse("dashboard:brief_issue")}?year={y}">Cấp số…</a>\n'
        )
    out.append("  </div>\n</div>\n\n")
    out.append(_closing_html(d, y, staff=staff))
    if d.summary_line:
        out.append(f'<p class="lead mb-2" id="dashboard-summary">{escape(d.summary_line)}.</p>\n')
    scope = escape(d.results["reports_on_time"].extra.get("scope", ""))
    out.append('<details class="mb-3 small" id="status-legend"><summary>Chú giải trạng thái</summary>\n')
    out.append('  <dl class="row mb-0 mt-2">\n')
    for _status, label, css, meaning in d.legend:
        out.append(
            f'    <dt class="col-sm-3"><span class="badge text-bg-{css}">{escape(label)}</span></dt>'
            f'<dd class="col-sm-9 mb-1">{escape(meaning)}</dd>\n'
        )
    out.append(
        "  </dl>\n"
        f'  <p class="mb-0">Số liệu đến ngày {_day(d.as_of)}{" (31/12 của năm đã kết thúc)" if d.closed else ""}; '
        f"riêng tỷ lệ báo cáo đúng hạn tính theo kỳ báo cáo: {scope} Tỷ lệ phần trăm làm tròn 2 chữ số, không bao "
        "giờ làm tròn qua mức chỉ tiêu. Định nghĩa từng chỉ tiêu: tài liệu docs/dashboard.md.</p>\n"
        "</details>\n\n"
    )
    cards = d.target_cards
    if not cards:
        link = ""
        if staff:
            link = f' <a href="{reverse("targets:target_list")}?year={y}">Nhập chỉ tiêu năm {y}</a>.'
        out.append(f'<div class="alert alert-info">Năm {y} chưa có chỉ tiêu.{link}</div>\n\n')
    out.append(
        '<div class="row row-cols-1 row-cols-md-2 row-cols-xl-4 g-3 mb-4 dashboard-cards">\n'
        f"  {dash.cards_html(cards, year, d.closed)}\n</div>\n\n"
    )
    others = d.other_cards
    if others:
        out.append(
            '<h2 class="h5">Các chỉ số khác</h2>\n<table class="table table-sm w-auto mb-4">\n  <tbody>\n'
            f"  {dash.other_cards_html(others, year, d.closed)}\n  </tbody>\n</table>\n\n"
        )
    out.append(
        '<div class="row g-3 mb-4">\n'
        '  <div class="col-lg-6 chart-box"><h2 class="h6">Kết nạp đảng viên lũy kế theo tháng</h2>'
        '<canvas id="chart-admissions" aria-label="Kết nạp lũy kế theo tháng so với tiến độ" role="img"></canvas></div>\n'
        '  <div class="col-lg-6 chart-box"><h2 class="h6">Học tập, quán triệt nghị quyết (%)</h2>'
        '<canvas id="chart-study" aria-label="Tỷ lệ học tập nghị quyết" role="img"></canvas></div>\n'
        '  <div class="col-lg-6 chart-box"><h2 class="h6">Xếp loại tổ chức cơ sở đảng</h2>'
        '<canvas id="chart-ratings" aria-label="Phân bố xếp loại" role="img"></canvas></div>\n'
        '  <div class="col-lg-6 chart-box"><h2 class="h6">Tình hình nộp báo cáo theo kỳ</h2>'
        '<canvas id="chart-timeliness" aria-label="Nộp báo cáo đúng hạn theo kỳ" role="img"></canvas></div>\n'
        "</div>\n"
        f"{json_script(d.charts, 'dashboard-charts')}\n\n"
        f'<h2 class="h5">Tình hình nộp báo cáo</h2>\n<p class="small text-muted">{scope}</p>\n'
    )
    if d.results["reports_on_time"].extra.get("periods"):
        out.append(
            '<table class="table table-sm table-striped w-auto">\n'
            '  <thead><tr><th scope="col">Kỳ</th><th scope="col">Hạn nộp</th><th scope="col" class="text-end">'
            'Đúng hạn</th><th scope="col" class="text-end">Muộn</th><th scope="col" class="text-end">Chưa nộp'
            "</th></tr></thead>\n  <tbody>\n"
            f"  {d.period_rows_html()}\n  </tbody>\n</table>\n"
        )
    else:
        out.append(f'<p class="text-muted">Chưa có kỳ báo cáo nào đến hạn trong năm {y}.</p>\n')
    out.append(
        f'<p class="d-print-none"><a href="{reverse("reports:matrix")}?year={y}">Xem bảng tổng hợp tình hình nộp '
        "báo cáo của từng tổ chức</a></p>\n\n"
    )
    out.append(_org_table_html(d, year, page))
    return "".join(out)


def _closing_html(d: dash.Dashboard, y: str, *, staff: bool) -> str:
    """A closed year: when and by whom, whether figures changed since and the changes with their reasons.
    An open year staff may close: the form (its CSRF field put in per request)."""
    snapshot = d.snapshot
    if snapshot is not None:
        taken_by = f" ({_by(snapshot.taken_by)})" if snapshot.taken_by else ""
        adjusted = d.adjusted_cards
        if adjusted:
            state = (
                f" {len(adjusted)} số liệu đã điều chỉnh sau khi chốt: trang này hiển thị số liệu hiện nay, đánh "
                "dấu bên dưới kèm số liệu khi chốt."
            )
        else:
            state = " Số liệu trên trang đúng như khi chốt."
        out = [
            '<div class="alert alert-info" role="status" id="year-closed">\n'
            f'  <p class="mb-1"><strong>Số liệu năm {y} đã chốt</strong> ngày {_day(snapshot.taken_at)}{taken_by}.'
            f"{state}</p>\n"
        ]
        if d.changes:
            lines = "".join(
                f"<li>{timezone.localtime(ch.at):%d/%m/%Y %H:%M} · {_by(ch.by)} · {escape(ch.what)}"
                + (
                    f" ({escape(ch.before or '—')} → {escape(ch.after or '—')})"
                    if ch.before or ch.after
                    else ""
                )
                + f" — lý do: {escape(ch.reason)}</li>"
                for ch in d.changes
            )
            out.append(
                '  <p class="mb-1 small">Các thay đổi sau khi chốt:</p>\n'
                f'  <ul class="small mb-0" id="closed-year-changes">{lines}</ul>\n'
            )
        out.append("</div>\n")
        return "".join(out)
    if not staff or not services.year_closable(d.year, today=dash.today())[0]:
        return ""
    return (
        f'<form method="post" action="{reverse("dashboard:year_close")}?year={y}" class="alert alert-warning d-flex '
        'flex-wrap align-items-center gap-2 d-print-none" id="year-close-form">\n'
        f"  {CSRF_FIELD}\n"
        f'  <span class="me-auto">Năm {y} đã hết hạn nộp báo cáo năm. Chốt số liệu để lưu lại số liệu của năm; '
        "thay đổi về sau phải ghi lý do và được đánh dấu “đã điều chỉnh sau khi chốt”.</span>\n"
        f'  <button type="submit" class="btn btn-warning btn-sm">Chốt số liệu năm {y}</button>\n'
        "</form>\n"
    )


def _org_table_html(d: dash.Dashboard, year: int, page: str) -> str:
    """One page of the table by organisation (``dash.org_table_page``) and its page links."""
    org_page = dash.org_table_page(d, page)
    heads = "".join(f'<th scope="col">{escape(label)}</th>' for _, label in dash.ORG_COLUMNS)
    if org_page.object_list:
        rows = org_page.rows_html
    else:
        rows = '<tr><td colspan="12" class="text-muted">Chưa có tổ chức nào.</td></tr>'
    nav = page_nav(
        org_page, f"year={year:d}", anchor="#org-table", noun="tổ chức", extra_class="d-print-none"
    )
    return (
        '<h2 class="h5 mt-4" id="org-table">Theo tổ chức cơ sở đảng</h2>\n'
        '<div class="table-responsive">\n<table class="table table-sm table-hover align-middle org-table">\n'
        f'  <thead><tr><th scope="col">Mã</th><th scope="col">Tổ chức</th>{heads}</tr></thead>\n'
        f"  <tbody>\n    {rows}\n  </tbody>\n</table>\n</div>\n{nav}\n"
    )
