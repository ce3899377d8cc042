"""Leadership (lanhdao) reads the dashboard, follows a figure, and can change nothing."""

import datetime as dt
import re

import pytest

from members.models import Candidate
from targets.models import Target
from tests.urlwalk import all_routes

from .world import NEWCOMER, report_with_study

pytestmark = pytest.mark.e2e

#: Words on a button or link that would change something. Leadership must see none of them.
EDIT_WORDS = re.compile(
    r"^(Thêm|Sửa|Xóa|Lưu|Nộp|Duyệt|Trả lại|Nhập|Ghi nhận|Tạo|Sao chép|Cập nhật|Chỉnh sửa|Gửi)\b", re.I
)
#: Routes whose POST is part of using the site at all, not an edit.
NOT_EDITS = {"login", "logout", "password_change", "password_change_done"}


def chart_data(page, canvas_id: str):
    """The data the Chart.js instance on `canvas_id` actually draws (labels and datasets)."""
    return page.evaluate(
        """id => {
            const chart = window.Chart && window.Chart.getChart(document.getElementById(id));
            if (!chart) return null;
            return {labels: chart.data.labels, datasets: chart.data.datasets.map(d => d.data)};
        }""",
        canvas_id,
    )


def indicators(journey, year: int) -> dict:
    response = journey.page.request.get(journey.url(f"/dashboard/data.json?year={year}"))
    assert response.status == 200
    payload = response.json()
    assert payload["year"] == year
    return {item["code"]: item for item in payload["indicators"]}


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def assert_no_edit_controls(journey, what: str):
    page = journey.page
    forms = page.evaluate(
        """() => Array.from(document.querySelectorAll('form'))
            .filter(f => (f.method || '').toLowerCase() === 'post')
            .map(f => f.getAttribute('action') || location.pathname)
            .filter(a => !a.endsWith('/accounts/logout/'))"""
    )
    assert not forms, f"{what}: leadership sees forms that post: {forms}"
    controls = page.locator("main a.btn, main button, main input[type=submit]")
    offending = [t.strip() for t in controls.all_inner_texts() if EDIT_WORDS.search(t.strip())]
    assert not offending, f"{what}: leadership sees edit buttons: {offending}"


def test_leadership_reads_dashboard_follows_figures_and_changes_nothing(bpage, world):
    page = bpage.page
    year = world.year
    bpage.login("lanhdao")
    assert bpage.path().startswith("/dashboard/"), f"leadership's home is the dashboard, got {page.url}"
    bpage.shot("dashboard")

    # The charts render, and what they draw is what /dashboard/data.json says.
    page.wait_for_function(
        "() => window.Chart && window.Chart.getChart(document.getElementById('chart-admissions'))"
    )
    figures = indicators(bpage, year)
    admissions = chart_data(page, "chart-admissions")
    assert admissions is not None, "the admissions chart did not render"
    drawn = [v for v in admissions["datasets"][0] if v is not None]
    assert drawn, "the admissions chart has no points"
    assert drawn[-1] == figures["admissions"]["value"] == 1, (drawn, figures["admissions"])
    for canvas in ("chart-study", "chart-ratings", "chart-timeliness"):
        assert chart_data(page, canvas) is not None, f"{canvas} did not render"
    embedded = page.evaluate("JSON.parse(document.getElementById('dashboard-charts').textContent)")
    assert embedded["admissions"]["actual"] == admissions["datasets"][0]
    card = page.locator("#card-admissions")
    assert digits(card.locator("[data-value]").inner_text()) == str(figures["admissions"]["value"])
    assert_no_edit_controls(bpage, "dashboard")

    # A figure leads to the records behind it.
    with page.expect_navigation():
        card.locator("[data-value]").click()
    assert bpage.path().startswith("/dashboard/records/")
    assert page.locator("#records-count").inner_text() == "1"
    page.get_by_role("link", name=NEWCOMER).wait_for()
    bpage.shot("records-behind-admissions")
    assert_no_edit_controls(bpage, "records page")

    # Staff accept a report with study figures: the dashboard shows them.
    if world.last_month.year != year:
        pytest.skip("in January no reporting period of the year has ended yet: nothing to reflect")
    before = figures["members_studied"]["value"]
    report_with_study(
        world,
        org=world.org1,
        period=world.last_month,
        by=world.secretary1,
        studied=[3, 4],
        accepted_by=world.staff,
    )
    bpage.goto(f"/dashboard/?year={year}")
    after = indicators(bpage, year)["members_studied"]
    assert after["value"] != before
    # 5 members on the roll: 3 and 4 of them studied the two required resolutions. Counted in people, the
    # year's figure is the weakest resolution (3 of 5), never 7 of 10 member × resolution pairs (issue 14).
    assert (after["numerator"], after["denominator"]) == (3, 5)
    assert float(after["value"]) == 60
    study_chart = chart_data(page, "chart-study")
    assert study_chart["datasets"][0] == [60, 80], study_chart
    # The table by organisation shows the organisation's new study figures too (its column written again after
    # the write, the others kept: targets.dashboard.org_table_columns), each cell leading to its records.
    headings = page.locator("table.org-table thead th").all_inner_texts()
    row = page.locator("table.org-table tbody tr", has_text=world.org1.code)
    cell = row.locator("td").nth(headings.index("ĐV học NQ"))
    assert cell.inner_text().strip() == "3/5"
    with page.expect_navigation():
        cell.locator("a").click()
    assert bpage.path().startswith("/dashboard/records/") and f"org={world.org1.pk}" in page.url
    bpage.goto(f"/dashboard/?year={year}")
    bpage.shot("dashboard-after-acceptance")
    # Another year, chosen from the list of years with data.
    page.select_option("#year-select", str(year - 1))
    with page.expect_navigation():
        page.get_by_role("button", name="Xem").click()
    assert f"year={year - 1}" in page.url
    assert page.locator("h1").first.inner_text().startswith(f"Chỉ tiêu năm {year - 1}")

    # Reading pages everywhere shows no edit buttons.
    for path in (
        "/organizations/",
        f"/organizations/{world.org1.pk}/",
        "/members/",
        f"/members/{world.probationer.pk}/",
        "/reports/matrix/",
        f"/dashboard/organizations/{world.org1.pk}/?year={year}",
    ):
        bpage.goto(path)
        assert_no_edit_controls(bpage, path)
    bpage.shot("member-detail-read-only")


def test_leadership_cannot_post_or_open_edit_pages(bpage, world):
    page = bpage.page
    bpage.login("lanhdao")
    report = report_with_study(
        world, org=world.org1, period=world.last_month, by=world.secretary1, studied=[1, 2]
    )
    ids = {
        "members": world.probationer.pk,
        "organizations": world.org1.pk,
        "reports": report.pk,
        "dashboard": world.org1.pk,
    }
    target_pk = Target.objects.filter(year=world.year).first().pk
    candidate = Candidate.objects.create(
        organization=world.org1,
        full_name="Quần Chúng Ưu Tú",
        birth_date=dt.date(1998, 1, 1),
        gender="nu",
        course_certificate_on=dt.date(2020, 1, 1),
        sponsors="Lê Văn A",
    )
    csrf = next(c["value"] for c in bpage.context.cookies() if c["name"] == "csrftoken")
    refused = []
    for route in all_routes():
        if route.name in NOT_EDITS:
            continue
        app = route.pattern.split("/")[0]
        pk = target_pk if "targets/" in route.pattern else ids.get(app, 1)
        if route.name.startswith("members:candidate"):
            pk = candidate.pk
        path = route.path(pk=pk, action="full", year=world.year)
        response = page.request.post(
            bpage.url(path), headers={"X-CSRFToken": csrf, "Referer": bpage.url(path)}, form={"x": "1"}
        )
        if response.status not in (403, 405):
            refused.append(f"POST {path} answered {response.status}")
        # An edit page is not even shown.
        if re.search(r"(new|edit|import|copy|submit|return|accept)/", route.pattern):
            response = page.request.get(bpage.url(path))
            if response.status not in (403, 405):
                refused.append(f"GET {path} answered {response.status}")
    assert not refused, "leadership could post or open an edit page:\n" + "\n".join(refused)

    # A submitted report offers leadership no review or edit buttons.
    bpage.goto(f"/reports/{report.pk}/")
    page.get_by_role("heading", name=f"Báo cáo {world.last_month.label}").wait_for()
    assert_no_edit_controls(bpage, "submitted report")

    # And in the browser: the edit page says so in Vietnamese.
    bpage.goto("/targets/new/", expect_status=403)
    assert "quyền" in page.inner_text("main").lower() or "không được" in page.inner_text("main").lower()
    bpage.shot("edit-page-refused")
