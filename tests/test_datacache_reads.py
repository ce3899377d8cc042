"""What a cached value read (issue 20): a write recomputes only the values that read what it changed
(``core.datacache.cached_under_data_version``), and every table changed in place is known by a history or a
witness."""

from core import datacache


def _counting(label, calls, compute):
    def run():
        calls.append(label)
        return compute()

    return run


def test_a_value_is_kept_through_writes_to_what_it_did_not_read(db):
    """An organisation count is served from the cache after a new member (another table) and computed afresh
    after a new organisation (an insert) and after a rename (an in-place change: its history row)."""
    from members.tests.factories import member
    from organizations.models import Organization
    from organizations.tests.factories import OrganizationFactory

    org = OrganizationFactory()
    calls = []

    def count():
        return datacache.cached_under_data_version(
            ("orgs",),
            _counting("orgs", calls, lambda: sorted(Organization.objects.values_list("name", flat=True))),
        )

    assert count() == [org.name] and calls == ["orgs"]
    member(org)
    assert count() == [org.name] and calls == ["orgs"]  # a member changes no organisation
    other = OrganizationFactory()
    assert count() == sorted([org.name, other.name]) and len(calls) == 2
    org.name = "Đảng bộ đổi tên"
    org.save()
    assert "Đảng bộ đổi tên" in count() and len(calls) == 3


def test_a_value_built_from_cached_parts_is_as_fresh_as_its_parts(db):
    """The dashboard is cached whole and each indicator on its own: when the outer value is rebuilt it may take
    an unchanged part from the cache, and must still be recomputed when that part's tables change later."""
    from members.tests.factories import member
    from organizations.models import Organization
    from organizations.tests.factories import OrganizationFactory

    org = OrganizationFactory()
    calls = []

    def inner():
        return datacache.cached_under_data_version(
            ("inner",), _counting("inner", calls, lambda: Organization.objects.count())
        )

    def outer():
        return datacache.cached_under_data_version(("outer",), _counting("outer", calls, lambda: inner() + 1))

    assert inner() == 1 and outer() == 2 and calls == ["inner", "outer"]
    member(org)
    assert outer() == 2 and calls == ["inner", "outer"]
    OrganizationFactory()
    assert outer() == 3 and calls == ["inner", "outer", "outer", "inner"]
    OrganizationFactory()
    assert inner() == 3 and outer() == 4  # the outer value read the inner's tables, though it took it cached


def test_a_table_changed_in_place_without_a_history_names_its_witnesses(settings):
    """Every table of the fingerprint either keeps a history (its in-place changes raise the history table's
    highest id), is written once (``PORTAL_DATA_APPEND_ONLY``) or names the tables a write always touches with
    it (``PORTAL_DATA_WITNESSES``): otherwise a cached value that read it could outlive a change."""
    tables = {table for table, _ in datacache._fingerprint_tables()}
    history = datacache._history_tables()
    kept = set(history.values())
    unaccounted = sorted(
        t
        for t in tables
        if t not in history
        and t not in kept
        and t not in settings.PORTAL_DATA_APPEND_ONLY
        and t not in settings.PORTAL_DATA_WITNESSES
    )
    assert unaccounted == []
    for table, witnesses in settings.PORTAL_DATA_WITNESSES.items():
        assert table in tables and set(witnesses) <= tables, table


def test_a_report_counts_through_its_transition_not_its_drafts(db):
    """The maintained punctuality rows change in place; reading them is known by the transitions, periods and
    Bloc spells that change them."""
    closure = datacache._witness_closure(datacache._fingerprint_tables())
    assert {"reports_reporttransition", "reports_reportingperiod", "organizations_blocmembership"} <= closure[
        "reports_reporttally"
    ]
    assert "reports_historicalperiodicreport" not in closure["reports_periodicreport"]


def test_a_page_body_depends_on_what_the_view_read_before_rendering_it(db, rf):
    """A view that reads organisations and hands the names to a cached body (not lazily): a new organisation
    must show at once, though the body itself made no query."""
    from django.http import HttpResponse
    from django.template import Context, Template

    from organizations.models import Organization
    from organizations.tests.factories import OrganizationFactory

    body = Template("{% load datacache %}{% datacache names 'k' %}{{ names|join:', ' }}{% enddatacache %}")

    def view(request):
        names = sorted(Organization.objects.values_list("name", flat=True))
        return HttpResponse(body.render(Context({"names": names})))

    page = datacache.ReadOnlyRequestVersion(view)
    first = OrganizationFactory(name="Đảng bộ A")
    assert page(rf.get("/")).content.decode() == first.name
    OrganizationFactory(name="Đảng bộ B")
    assert page(rf.get("/")).content.decode() == "Đảng bộ A, Đảng bộ B"
    # Outside a GET request nothing is kept: the body is rendered each time.
    assert "Đảng bộ B" in page(rf.post("/")).content.decode()


def test_the_menus_count_of_reports_waiting_is_not_read_by_the_cached_body(db, rf):
    """The menu shows the reports waiting for review on every staff page, drawn before the page's cached body:
    a report submitted changes the count at once but does not make the body (here: organisation names) render
    afresh (it would, at every report of the filing season, for the member and organisation lists)."""
    from django.http import HttpResponse
    from django.template import Context, Template

    from khoi_portal.context_processors import _review_count
    from organizations.models import Organization
    from organizations.tests.factories import OrganizationFactory
    from reports.models import PeriodicReport, ReportStatus
    from reports.tests.factories import period

    body = Template(
        "{{ waiting }}|{% load datacache %}{% datacache names 'k' %}{{ names|join:', ' }}{% enddatacache %}"
    )
    renders = []

    def names():
        renders.append(1)
        return sorted(Organization.objects.values_list("name", flat=True))

    def view(request):
        waiting = _review_count()
        return HttpResponse(body.render(Context({"waiting": waiting, "names": SimpleLazy(names)})))

    class SimpleLazy:
        def __init__(self, compute):
            self.compute = compute

        def __iter__(self):
            return iter(self.compute())

    page = datacache.ReadOnlyRequestVersion(view)
    org = OrganizationFactory(name="Đảng bộ A")
    assert page(rf.get("/")).content.decode() == "0|Đảng bộ A"
    PeriodicReport.objects.create(organization=org, period=period(), status=ReportStatus.SUBMITTED)
    assert page(rf.get("/")).content.decode() == "1|Đảng bộ A"
    assert len(renders) == 1  # the body came from the cache
    OrganizationFactory(name="Đảng bộ B")
    assert page(rf.get("/")).content.decode() == "1|Đảng bộ A, Đảng bộ B"
