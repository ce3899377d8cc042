"""``{% load portal %}``: small template helpers shared by every app.

- ``dict|get_item:key`` — a dictionary's value (None when absent);
- ``value|rate`` — a percentage with two decimals and the Vietnamese comma ("87,77%"; "—" when there is none),
  the same everywhere (pages, dashboard, period summary, documents: ``core.documents.model.vn_percent``);
- ``value|count`` — a count without decimals and with Vietnamese grouping ("1.234", never "130,0");
- ``{% nav_current request "/reports/" exclude="/reports/review/" %}`` — marks the current item of the main
  menu (``aria-current="page"``);
- ``{% page_nav page query noun="tổ chức" %}`` — the page links of a list paged without django-tables2;
- ``{% table_head table %}``, ``{% table_pages table %}`` — a django-tables2 table's sortable headings and its
  page links, keeping the rest of the request's query (the member and organisation lists write their rows in
  Python: these are the rest of a body written afresh after every new member).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _group(digits: str) -> str:
    return f"{int(digits):,}".replace(",", ".")


@register.filter
def rate(value) -> str:
    """87.7666 → "87,77%"; None → "—"."""
    number = _number(value)
    if number is None:
        return "—"
    rounded = number.quantize(Decimal("0.01"), ROUND_HALF_UP)  # as the documents round (vn_decimal)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    sign = "-" if rounded < 0 else ""
    return f"{sign}{_group(whole)},{(fraction + '00')[:2]}%"


@register.filter
def count(value) -> str:
    """130.0 → "130"; 1234 → "1.234"; None → "—"."""
    number = _number(value)
    if number is None:
        return "—"
    rounded = int(number.quantize(Decimal("1"), ROUND_HALF_UP))
    return ("-" if rounded < 0 else "") + _group(str(abs(rounded)))


@register.simple_tag
def nav_current(request, *prefixes: str, exclude: str = "", css: str = "nav-link", group: bool = False):
    """`` class="nav-link active" aria-current="page"`` when the request's path starts with one of `prefixes`
    and with none of `exclude` (comma-separated: a more specific menu item's paths), else `` class="nav-link"``.
    `css` names the element's classes (``dropdown-item`` inside a menu); a menu's toggle (`group`) is marked
    active without ``aria-current`` (the current page is the item inside it)."""
    path = getattr(request, "path", "") or ""
    excluded = [p for p in exclude.split(",") if p]
    if any(path.startswith(p) for p in prefixes) and not any(path.startswith(p) for p in excluded):
        if group:
            return format_html(' class="{} active"', css)
        return format_html(' class="{} active" aria-current="page"', css)
    return format_html(' class="{}"', css)


def _pages_html(page, href, *, label: str = "", extra_class: str = "", noun: str = "") -> str:
    """The page links of a Django ``Page`` (first, previous, "Trang 2/5 (230 tổ chức)", next, last), each page's
    address from ``href(number)``; nothing when everything fits on one page."""
    if not page or not page.has_other_pages():
        return ""
    before, after = [], []
    if page.has_previous():
        before = [(1, "Trang đầu"), (page.previous_page_number(), "Trang trước")]
    if page.has_next():
        after = [(page.next_page_number(), "Trang sau"), (page.paginator.num_pages, "Trang cuối")]
    item = '<li class="page-item"><a class="page-link" href="{}">{}</a></li>'
    counted = format_html(" ({} {})", localize(page.paginator.count), noun) if noun else ""
    return format_html(
        '<nav aria-label="{}"{}><ul class="pagination pagination-sm flex-wrap">{}'
        '<li class="page-item disabled"><span class="page-link">Trang {}/{}{}</span></li>{}</ul></nav>',
        label or "Trang",
        format_html(' class="{}"', extra_class) if extra_class else "",
        format_html_join("", item, ((href(int(n)), text) for n, text in before)),
        localize(page.number),
        localize(page.paginator.num_pages),
        counted,
        format_html_join("", item, ((href(int(n)), text) for n, text in after)),
    )


@register.simple_tag
def page_nav(page, query: str = "", anchor: str = "", noun: str = "", label: str = "", extra_class: str = ""):
    """The page links of a list paged without django-tables2 (``_pages_html``). `query`: the page's own query
    string without page=, url-encoded (the view builds it: a cached page body must not copy stray parameters);
    `anchor`: "#id" to land on; `noun`: shows the count; `label`: the nav's aria-label (default "Trang");
    `extra_class`: the nav's classes. Written in Python: a page body made afresh after every write (the
    dashboard, the matrix) spent more on the included template than on its own figures."""
    base = f"?{query}&page=" if query else "?page="
    return _pages_html(page, lambda n: f"{base}{n}{anchor}", label=label, extra_class=extra_class, noun=noun)


def _query_with(request, key: str, value) -> str:
    """The request's query string with `key` set to `value` ("?…"), as django-tables2's ``querystring_replace``
    writes it."""
    params = dict(request.GET)
    params[key] = value
    return "?" + urlencode(params, doseq=True)


@register.simple_tag(takes_context=True)
def table_head(context, table):
    """A django-tables2 table's headings: each sortable one a link that sorts by it (again: the other way), the
    sorted one marked with ``aria-sort`` and an arrow."""
    request = context["request"]
    cells = []
    for column in table.columns:
        header, sort = conditional_escape(column.header), ""
        if column.orderable:
            arrow = ""
            if column.is_ordered:
                descending = column.order_by_alias.is_descending
                sort = f' aria-sort="{"descending" if descending else "ascending"}"'
                arrow = " ↓" if descending else " ↑"
            href = escape(_query_with(request, table.prefixed_order_by_field, column.order_by_alias.next))
            header = f'<a href="{href}">{header}{arrow}</a>'
        cells.append(f'<th scope="col"{sort}>{header}</th>')
    return mark_safe(f"<thead><tr>{''.join(cells)}</tr></thead>")  # noqa: S308 — headers and links escaped


@register.simple_tag(takes_context=True)
def table_pages(context, table):
    """A django-tables2 table's page links (``_pages_html``), keeping the rest of the request's query."""
    request, field = context["request"], table.prefixed_page_field
    return _pages_html(table.page, lambda n: _query_with(request, field, n))
