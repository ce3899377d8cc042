"""The dues register's rules at their edges, each naming its text: the month chooses the rule (QĐ 342-QĐ/TW 2010
until 01/2026, QĐ 01-QĐ/TW 2026 from 02/2026), three unpaid months flag a member (Điều lệ Art. 8.1), a member on
the roll without a line is "chưa thu", remittances on time / late / missing, the yearly report's totals."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.documents import docx_text
from members import dues, services
from members.models import DuesLine, DuesPolicy, DuesRate, DuesStatus
from members.tests import factories as f

pytestmark = pytest.mark.django_db
PAID, UNPAID, EXEMPT = DuesStatus.PAID, DuesStatus.UNPAID, DuesStatus.EXEMPT


@pytest.fixture(autouse=True)
def _rules():
    f.dues_settings()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    day = dt.date(2026, 6, 15)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day


def _with_base(member, category="hanh_chinh", base=10_000_000):
    services.member_dues_save(member=member, category=category, income_base=base)
    return member


def test_the_months_date_chooses_the_rule():
    """QĐ 342-QĐ/TW 2010 Art. 2 until 31/01/2026 (students under HD 03-HD/VPTW: 6.000 đ), Quy định 01-QĐ/TW 2026
    from 01/02/2026 (pupils and students 5.000 đ); 1% of the base for agencies, 0,5% of the pension."""
    january, february = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    assert dues.rate_for("hoc_sinh", january).fixed_amount == 6000
    assert dues.rate_for("hoc_sinh", february).fixed_amount == 5000
    assert "342" in dues.rate_for("hanh_chinh", january).source
    assert "01-QĐ/TW" in dues.rate_for("hanh_chinh", february).source
    assert dues.amount_due(dues.rate_for("hanh_chinh", february), 12_345_678) == 123_457  # 1%, half up
    assert dues.amount_due(dues.rate_for("huu_tri", january), 6_000_000) == 30_000  # 0,5%
    assert dues.amount_due(dues.rate_for("hanh_chinh", january), None) is None  # no base: not guessed


def test_a_newer_rule_is_data_and_ends_the_previous_one_the_day_before(staff):
    """The next change of the rules is a settings row with its source, not code."""
    services.dues_rate_add(
        category="hoc_sinh", label="Học sinh, sinh viên", valid_from=dt.date(2027, 1, 1), fixed_amount=7000,
        source="Quy định giả định 99-QĐ/TW", by=staff,
    )  # fmt: skip
    assert DuesRate.objects.get(category="hoc_sinh", valid_from=dt.date(2026, 2, 1)).valid_to == dt.date(
        2026, 12, 31
    )
    assert dues.rate_for("hoc_sinh", dt.date(2026, 12, 1)).fixed_amount == 5000
    assert dues.rate_for("hoc_sinh", dt.date(2027, 1, 1)).fixed_amount == 7000
    with pytest.raises(ValidationError):
        services.dues_rate_add(category="x", label="x", valid_from=dt.date(2027, 1, 1), source="", by=staff)


def test_a_rate_typed_with_the_vietnamese_comma_is_half_a_percent_not_five(client_for, staff):
    """Issue 12: "0,5" in "Tỷ lệ (%)" is 0,5% (QĐ 342-QĐ/TW Art. 2: half a percent of the pension), not refused
    with "Nhập một số." and not 5%; the box is a text box with the decimal keypad, never ``type="number"``
    (an English Chrome reads "0,5" there as 5)."""
    client = client_for(staff)
    url = reverse("members:dues_settings")
    page = client.get(url).content.decode()
    assert 'name="percent"' in page and 'inputmode="decimal"' in page
    assert 'type="number" name="percent"' not in page
    data = {
        "category": "huu_tri_moi", "label": "Hưu trí (mức mới)", "valid_from": "01/01/2027", "percent": "0,5",
        "source": "Quy định giả định 99-QĐ/TW",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert DuesRate.objects.get(category="huu_tri_moi").percent == Decimal("0.5")
    again = client.post(url, {**data, "category": "x", "source": ""}).content.decode()
    assert 'value="0,5"' in again and "Nhập một số" not in again  # a refused form gives the comma back


def test_the_month_sheet_lists_every_member_on_the_roll_and_writes_what_they_owe(org_a):
    """A member on the roll with no line is "chưa thu", never silently absent; the amount due is written from
    the category and base under the month's rule."""
    a = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    b = f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True)  # no base recorded
    month = dt.date(2026, 3, 1)
    sheet = {row.member.pk: row for row in dues.month_sheet(org_a, month)}
    assert set(sheet) == {a.pk, b.pk} and all(row.line is None for row in sheet.values())
    assert sheet[a.pk].due == 100_000 and sheet[b.pk].due is None
    services.dues_month_save(organization=org_a, month=month, entries={a: (PAID, None, "")})
    line = DuesLine.objects.get(member=a, month=month)
    assert (line.amount_due, line.amount_paid) == (100_000, 100_000)
    with pytest.raises(ValidationError, match="chưa có thu nhập"):
        services.dues_month_save(organization=org_a, month=month, entries={b: (PAID, None, "")})
    with pytest.raises(ValidationError, match="lý do"):
        services.dues_month_save(organization=org_a, month=month, entries={b: (EXEMPT, None, " ")})
    report = dues.year_report(2026, dt.date(2026, 3, 31))
    row = report.rows[0]
    assert (row.member_months, row.lines, row.not_recorded) == (6, 1, 5)  # 2 members × 3 months, 1 line


def test_a_member_not_on_the_roll_that_month_is_refused(org_a, org_b):
    member = _with_base(f.member(org_b, ceremony_on=dt.date(2015, 3, 1), full=True))
    with pytest.raises(ValidationError, match="không có trong danh sách"):
        services.dues_month_save(
            organization=org_a, month=dt.date(2026, 3, 1), entries={member: (PAID, None, "")}
        )
    with pytest.raises(ValidationError, match="Chưa tới tháng"):
        services.dues_month_save(
            organization=org_b, month=dt.date(2026, 7, 1), entries={member: (PAID, None, "")}
        )


def test_three_unpaid_months_flag_a_member_two_do_not_and_exemptions_never_count(org_a):
    """Điều lệ Đảng Art. 8.1 (repeated in QĐ 01-QĐ/TW 2026): three months of a year unpaid without good reason."""
    a = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    b = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    for month, (sa, sb) in zip(
        dues.months_of(2026)[:4],
        [(UNPAID, UNPAID), (UNPAID, EXEMPT), (PAID, EXEMPT), (UNPAID, UNPAID)],
        strict=True,
    ):
        reason = "Ốm đau dài ngày"
        services.dues_month_save(
            organization=org_a, month=month, entries={a: (sa, None, reason), b: (sb, None, reason)}
        )
    flags = dues.flagged_members(2026)
    assert [flag.member_id for flag in flags] == [a.pk]  # a: 3 unpaid; b: 2 unpaid and 2 exempt
    assert flags[0].months == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 4, 1)]
    assert dues.flagged_members(2025) == []  # the year counts


def test_a_remittance_on_its_due_day_is_on_time_the_next_day_late_none_after_it_missing(org_a):
    """The Bloc's policy (QĐ 342 Art. 4 shares; quarterly, due 15 days after the quarter — a setting)."""
    q1 = dues.remittance_periods(2026)[0]
    assert (q1.start, q1.end, q1.due) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 15))
    assert dues.remittance_status(q1, None, q1.due) == dues.NOT_YET
    assert dues.remittance_status(q1, None, q1.due + dt.timedelta(days=1)) == dues.MISSING
    on_time = services.dues_remittance_record(
        organization=org_a, period_start=q1.start, amount=30_000, remitted_on=q1.due
    )
    assert dues.remittance_status(q1, on_time, dt.date(2026, 6, 1)) == dues.ON_TIME
    on_time.remitted_on = q1.due + dt.timedelta(days=1)
    assert dues.remittance_status(q1, on_time, dt.date(2026, 6, 1)) == dues.LATE
    with pytest.raises(ValidationError, match="Kỳ nộp không đúng"):
        services.dues_remittance_record(
            organization=org_a, period_start=dt.date(2026, 2, 1), amount=1, remitted_on=q1.due
        )


def test_the_yearly_reports_totals_equal_the_sum_of_the_monthly_lines(org_a, org_b):
    """The Bloc's yearly dues report: every total is the sum of the monthly lines (and of the rows)."""
    members = [_with_base(f.member(org, ceremony_on=dt.date(2015, 3, 1), full=True), base=base)
               for org in (org_a, org_b) for base in (8_000_000, 12_500_000, 5_555_555)]  # fmt: skip
    statuses = [PAID, PAID, UNPAID, PAID, EXEMPT, PAID]
    for n, month in enumerate(dues.months_of(2026)[:5]):
        for org in (org_a, org_b):
            entries = {
                m: (statuses[(i + n) % len(statuses)], None, "Đi học dài hạn")
                for i, m in enumerate(members) if m.organization_id == org.pk
            }  # fmt: skip
            services.dues_month_save(organization=org, month=month, entries=entries)
    services.dues_remittance_record(
        organization=org_a, period_start=dt.date(2026, 1, 1), amount=55_000, remitted_on=dt.date(2026, 4, 20)
    )
    report = dues.year_report(2026, dt.date(2026, 6, 15))
    lines = DuesLine.objects.filter(month__year=2026)
    assert report.total.collected == sum(line.amount_paid for line in lines) > 0
    assert report.total.due == sum(line.amount_due or 0 for line in lines if line.status != EXEMPT)
    assert report.total.lines == lines.count() == 30
    assert (report.total.paid, report.total.unpaid, report.total.exempt) == (
        lines.filter(status=PAID).count(),
        lines.filter(status=UNPAID).count(),
        lines.filter(status=EXEMPT).count(),
    )
    assert report.total.member_months == 6 * 6 and report.total.not_recorded == 6  # June not yet recorded
    assert report.total.kept == sum(r.kept for r in report.rows)
    assert report.rows[0].kept == int((Decimal(report.rows[0].collected) * 70 / 100).quantize(Decimal("1")))
    # A remitted Q1 five days late; B never did (missing); Q2 is not due before 15/07.
    assert (report.rows[0].remitted, report.rows[0].late) == (55_000, 1)
    assert report.rows[1].late == 1
    # QĐ 342-QĐ/TW Art. 4: each level above the grassroots keeps 50 % of what reaches it and passes 50 % up.
    assert (report.bloc_kept, report.to_province) == (27_500, 27_500)


def test_the_blocs_share_is_a_setting_read_by_the_period_it_applies_to(staff, org_a):
    """QĐ 342-QĐ/TW Art. 4 ("each level above keeps 50 %"), editable like the other shares: a Bloc share of 60 %
    from Q2 keeps 60 % of Q2's remittance and leaves Q1's at 50 %."""
    services.dues_remittance_record(
        organization=org_a, period_start=dt.date(2025, 1, 1), amount=10_000, remitted_on=dt.date(2025, 4, 10)
    )
    services.dues_remittance_record(
        organization=org_a, period_start=dt.date(2025, 4, 1), amount=20_000, remitted_on=dt.date(2025, 7, 10)
    )
    current = dues.policy_on(dt.date(2025, 1, 1))
    services.dues_policy_set(
        valid_from=dt.date(2025, 4, 1), cell_keeps_percent=current.cell_keeps_percent,
        organization_keeps_percent=current.organization_keeps_percent, bloc_keeps_percent=Decimal("60"),
        remit_every_months=current.remit_every_months, remit_due_days=current.remit_due_days,
        source="Thông báo của Tỉnh ủy (thử)", by=staff,
    )  # fmt: skip
    report = dues.year_report(2025, dt.date(2025, 12, 31))
    assert (report.bloc_kept, report.to_province) == (5_000 + 12_000, 5_000 + 8_000)
    with pytest.raises(ValidationError) as refused:
        services.dues_policy_set(
            valid_from=dt.date(2025, 5, 1), cell_keeps_percent=current.cell_keeps_percent,
            organization_keeps_percent=current.organization_keeps_percent, bloc_keeps_percent=Decimal("101"),
            remit_every_months=current.remit_every_months, remit_due_days=current.remit_due_days,
            source="x", by=staff,
        )  # fmt: skip
    assert "bloc_keeps_percent" in refused.value.message_dict


def test_the_yearly_report_downloads_as_xlsx_docx_and_pdf_with_the_same_totals(client_for, staff, org_a):
    member = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True), base=9_000_000)
    for month in dues.months_of(2026)[:3]:
        services.dues_month_save(organization=org_a, month=month, entries={member: (PAID, None, "")})
    client = client_for(staff)
    url = reverse("members:dues_report")
    response = client.get(url, {"year": 2026, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    total, bloc_kept, to_province = rows[-3:]
    assert total[1] == "Tổng cộng" and total[9] == 270_000  # "Đã thu (đồng)"
    assert (
        bloc_kept[1].startswith("Đảng ủy Khối giữ lại") and to_province[1] == "Đảng ủy Khối nộp lên Tỉnh ủy"
    )
    docx = client.get(url, {"year": 2026, "format": "docx"})
    text = docx_text(docx.content)
    assert "BÁO CÁO" in text and "thu, nộp đảng phí năm 2026" in text and "270.000" in text
    assert client.get(url, {"year": 2026, "format": "pdf"}).content.startswith(b"%PDF")


def test_the_secretary_records_a_month_on_one_page(client_for, secretary_a, org_a):
    a = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    b = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    client = client_for(secretary_a)
    url = reverse("members:dues_month", kwargs={"organization": org_a.pk}) + "?month=2026-05"
    page = client.get(url).content.decode()
    assert "100.000 đ" in page and "— chưa thu —" in page
    response = client.post(url, {f"s{a.pk}": PAID, f"s{b.pk}": UNPAID, f"a{b.pk}": "", f"r{b.pk}": ""})
    assert response.status_code == 302
    assert {line.member_id: line.status for line in DuesLine.objects.all()} == {a.pk: PAID, b.pk: UNPAID}


def test_the_month_sheet_reads_the_same_number_of_queries_for_3_or_20_members(client_for, secretary_a, org_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(secretary_a)
    url = reverse("members:dues_month", kwargs={"organization": org_a.pk}) + "?month=2026-05"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    few = queries()
    for _ in range(17):
        _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True))
    assert queries() == few


def test_a_cell_secretary_records_their_cells_month_and_only_theirs(client_for, org_a):
    """Issue 19: collection per cell and month, "entered by the cell or TCCSĐ secretary" (the chi bộ collects:
    QĐ 342-QĐ/TW 2010). The cell's sheet lists its members only; another cell's member posted to it is refused
    with the reason; another cell's sheet answers 404."""
    from organizations.models import Cell
    from organizations.tests.factories import cell_secretary_user

    mine, theirs = (Cell.objects.create(organization=org_a, name=name) for name in ("Chi bộ 1", "Chi bộ 2"))
    a = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Lê Văn An", cell=mine))
    b = _with_base(
        f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True, name="Trần Thị Bình", cell=theirs)
    )
    client = client_for(cell_secretary_user(mine))
    url = reverse("members:dues_cell", kwargs={"organization": org_a.pk, "cell": mine.pk}) + "?month=2026-05"
    page = client.get(url).content.decode()
    assert "Lê Văn An" in page and "Trần Thị Bình" not in page
    assert client.post(url, {f"s{a.pk}": PAID, f"s{b.pk}": PAID}).status_code == 302  # b's field is not on it
    assert [(line.member_id, line.cell_id, line.amount_paid) for line in DuesLine.objects.all()] == [
        (a.pk, mine.pk, 100_000)
    ]
    with pytest.raises(ValidationError, match="không có trong danh sách của chi bộ"):
        services.dues_month_save(
            organization=org_a, month=dt.date(2026, 5, 1), entries={b: (PAID, None, "")}, cell=mine
        )
    other = reverse("members:dues_cell", kwargs={"organization": org_a.pk, "cell": theirs.pk})
    assert client.get(other).status_code == 404
    assert client.get(reverse("members:dues_month", kwargs={"organization": org_a.pk})).status_code == 403


def _policy(**changes):
    values = {
        "valid_from": dt.date(2026, 1, 1), "cell_keeps_percent": Decimal("40"),
        "organization_keeps_percent": Decimal("70"), "remit_every_months": 3, "remit_due_days": 15,
        "source": "Quyết định 342-QĐ/TW 2010, Điều 4",
    }  # fmt: skip
    return {**values, **changes}


def test_staff_edit_the_shares_and_the_remittance_reads_them(client_for, staff, secretary_a, org_a):
    """QĐ 342-QĐ/TW 2010 Art. 4: a TCCSĐ keeps 70% and remits 30%; the Bloc's next rule (here 90/10) is an edited
    setting from its date — the amount owed to the Bloc and the yearly report's "kept" follow it, the months
    before keep the old shares, and the earlier values stay in the history."""
    member = _with_base(f.member(org_a, ceremony_on=dt.date(2015, 3, 1), full=True), base=10_000_000)
    for month in dues.months_of(2026)[:6]:  # 100.000 đ a month
        services.dues_month_save(organization=org_a, month=month, entries={member: (PAID, None, "")})
    q1, q2 = dues.remittance_periods(2026)[:2]
    assert dues.period_owed(org_a, q1) == (300_000, 90_000)  # 30% of 300.000 đ
    assert dues.year_report(2026, dt.date(2026, 6, 30)).rows[0].kept == 420_000

    client = client_for(staff)
    url = reverse("members:dues_policy")
    form = {"valid_from": "01/04/2026", "cell_keeps_percent": "40", "organization_keeps_percent": "90", "bloc_keeps_percent": "50",
            "remit_every_months": "3", "remit_due_days": "15", "source": "Quy định giả định 99-QĐ/TW, Điều 4"}  # fmt: skip
    assert client.post(url, form).status_code == 302
    assert dues.period_owed(org_a, q1) == (300_000, 90_000)  # before 01/04: the old shares
    assert [p.due for p in dues.remittance_periods(2026)[:2]] == [dt.date(2026, 4, 15), dt.date(2026, 7, 15)]
    assert dues.period_owed(org_a, q2) == (300_000, 30_000)  # from 01/04: 10% of 300.000 đ
    assert dues.year_report(2026, dt.date(2026, 6, 30)).rows[0].kept == 210_000 + 270_000
    page = client_for(secretary_a).get(reverse("members:dues_remittances", args=[org_a.pk]), {"year": 2026})
    assert '<td class="text-end owed">30.000</td>' in page.content.decode()

    # a correction of the same date is kept in the history, never overwritten silently
    client = client_for(staff)
    assert (
        client.post(url, {**form, "organization_keeps_percent": "80", "remit_due_days": "20"}).status_code
        == 302
    )
    assert [p.due for p in dues.remittance_periods(2026)[:2]] == [dt.date(2026, 4, 15), dt.date(2026, 7, 20)]
    assert DuesPolicy.objects.get(valid_from=dt.date(2026, 4, 1)).organization_keeps_percent == 80
    assert dues.period_owed(org_a, q2) == (300_000, 60_000)
    assert list(
        DuesPolicy.history.filter(valid_from=dt.date(2026, 4, 1)).values_list(
            "organization_keeps_percent", flat=True
        )
    ) == [80, 90]
    history = client.get(url).content.decode()
    assert "TCCSĐ giữ 90%" in history and "TCCSĐ giữ 80%" in history


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cell_keeps_percent": "25"}, "cell_share_override", "từ 30% đến 50%"),
        ({"cell_keeps_percent": "51"}, "cell_share_override", "từ 30% đến 50%"),
        ({"organization_keeps_percent": "101"}, "organization_keeps_percent", "100"),
        ({"cell_keeps_percent": "-1"}, "cell_keeps_percent", "0"),
        ({"valid_from": "15/04/2026"}, "valid_from", "ngày đầu một tháng"),
        ({"remit_every_months": "1"}, "remit_every_months", "01/01"),
        ({"source": ""}, "source", ""),
    ],
)
def test_the_shares_form_refuses_what_the_regulation_does_beside_the_field(
    client_for, staff, changes, field, message
):
    """QĐ 342-QĐ/TW 2010 Art. 4: a chi bộ trực thuộc keeps 30–50% (30 and 50 themselves are allowed); shares are
    0–100%; a monthly/quarterly change starts a year; the source is cited."""
    form = {"valid_from": "01/04/2026", "cell_keeps_percent": "40", "organization_keeps_percent": "70", "bloc_keeps_percent": "50",
            "remit_every_months": "3", "remit_due_days": "15", "source": "Quy định giả định"}  # fmt: skip
    response = client_for(staff).post(reverse("members:dues_policy"), {**form, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert not DuesPolicy.objects.filter(valid_from=dt.date(2026, 4, 1)).exists()


def test_a_cell_share_outside_the_range_needs_its_documented_override(staff):
    """QĐ 342-QĐ/TW 2010 Art. 4 (30–50%): the edges pass; outside them only with the text that allows it."""
    for edge in ("30", "50"):
        services.dues_policy_set(
            **_policy(valid_from=dt.date(2026, 5, 1), cell_keeps_percent=Decimal(edge)), by=staff
        )
    with pytest.raises(ValidationError, match="30% đến 50%"):
        services.dues_policy_set(
            **_policy(valid_from=dt.date(2026, 5, 1), cell_keeps_percent=Decimal("20")), by=staff
        )
    policy = services.dues_policy_set(
        **_policy(valid_from=dt.date(2026, 5, 1), cell_keeps_percent=Decimal("20")),
        cell_share_override="Công văn giả định 5-CV/ĐUK cho phép chi bộ quân sự",
        by=staff,
    )
    assert policy.cell_keeps_percent == 20 and "5-CV/ĐUK" in policy.cell_share_override
    assert services.dues_policy_set(**_policy(valid_from=dt.date(2027, 1, 1), remit_every_months=1), by=staff)
    assert [p.label for p in dues.remittance_periods(2027)][:2] == ["Tháng 1/2027", "Tháng 2/2027"]
