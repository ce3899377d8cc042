"""Browser journeys: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

We launch Chromium ourselves (not pytest-playwright's fixtures, which would download a browser of their own),
so our fixtures are named ``chromium_browser`` and ``bpage`` to stay clear of the plugin's ``browser``/``page``.

Every test gets a :class:`Journey` (``bpage``) that records, for the whole test:
- console errors and uncaught page errors (a Content Security Policy violation is a console error);
- failed requests, static files answering >= 400, anything answering >= 500;
- any request to a host other than the live server (everything must come from the portal itself);
and fails the test at teardown if any of these happened. ``journey.shot("name")`` writes
test-artifacts/e2e/<test-name>/NN-name.png; a failing test also gets a last ``99-failure.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The live server runs in a thread while Playwright's sync API keeps an event loop in the main thread;
# Django would otherwise refuse ORM calls made from the test body ("SynchronousOnlyOperation").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "demo-khoi-2021"
#: Default wait for a page element (ms). Generous: CI machines are slow.
TIMEOUT_MS = 15_000


def _chromium_missing_message() -> str:
    return f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e is an e2e test; skip them all on a developer machine without Chromium."""
    here = Path(__file__).parent
    e2e_items = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    if e2e_items and not os.access(CHROMIUM, os.X_OK) and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=_chromium_missing_message())
        for item in e2e_items:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.access(CHROMIUM, os.X_OK):
        # Only reached with CI=true (otherwise collection skipped the tests): missing Chromium is a failure.
        pytest.fail(_chromium_missing_message() + " (CI=true: the browser tests must run)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Journey:
    """One user's browser session (a Playwright page in its own context) plus the problems seen so far."""

    def __init__(self, *, browser, base_url: str, viewport: dict, artifacts: Path, name: str):
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self.viewport = viewport
        self.artifacts = artifacts
        self.name = name
        self.problems: list[str] = []
        self.requests: list[str] = []
        self._allowed_console: list[re.Pattern] = []
        self._downloads: set[str] = set()
        self._shots = 0
        self.context = browser.new_context(
            viewport=viewport,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
            is_mobile=viewport["width"] < 600,
            has_touch=viewport["width"] < 600,
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self._watch(self.page)

    # --- problem collection -----------------------------------------------------------------------------

    def _watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"[{self.name}] uncaught JS error: {exc}"))
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("download", lambda d: self._downloads.add(d.url))

    def _on_console(self, msg):
        if msg.type != "error":
            return
        text = msg.text
        if any(p.search(text) for p in self._allowed_console):
            return
        self.problems.append(f"[{self.name}] console error: {text} ({msg.location.get('url', '')})")

    def _on_request(self, request):
        url = request.url
        self.requests.append(url)
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return
        if urlsplit(url).netloc != self.host:
            self.problems.append(f"[{self.name}] request left the portal: {request.method} {url}")

    def _on_request_failed(self, request):
        failure = request.failure or ""
        # ERR_ABORTED is Chromium cancelling a request itself: a download ends the navigation that started
        # it, and leaving a page cancels what it was still loading (typically the favicon, when a test clicks
        # on at once). Neither is the server failing; a real failure shows as a status in _on_response or as
        # another net:: error here (refused, reset, timed out).
        if "ERR_ABORTED" in failure:
            return
        self.problems.append(f"[{self.name}] request failed: {request.method} {request.url} ({failure})")

    def _on_response(self, response):
        path = urlsplit(response.url).path
        if response.status >= 500:
            self.problems.append(f"[{self.name}] server error {response.status}: {response.url}")
        elif response.status >= 400 and (
            path.startswith("/static/") or response.request.resource_type != "document"
        ):
            self.problems.append(f"[{self.name}] {response.status} for a resource: {response.url}")

    def allow_console(self, pattern: str):
        """Accept console errors matching `pattern` from now on (e.g. Chromium's note about an expected 404)."""
        self._allowed_console.append(re.compile(pattern))

    # --- navigation helpers -----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, *, expect_status: int | None = 200):
        if expect_status and expect_status >= 400:
            # Chromium logs "Failed to load resource: … status of 404" for an error page: expected here.
            self.allow_console(rf"status of {expect_status}\b")
        response = self.page.goto(self.url(path))
        if expect_status is not None:
            assert response is not None
            assert response.status == expect_status, (
                f"{path} answered {response.status}, expected {expect_status}"
            )
        return response

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def login(self, username: str, password: str = DEMO_PASSWORD, *, shot: bool = False):
        page = self.page
        self.goto("/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        if shot:
            self.shot("login")
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập").click()
        assert "/accounts/login/" not in page.url, f"login as {username} failed: still on {page.url}"

    def shot(self, name: str):
        self._shots += 1
        self.artifacts.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "-", name).strip("-")
        self.page.screenshot(path=str(self.artifacts / f"{self._shots:02d}-{safe}.png"), full_page=True)

    def new_page(self):
        """Another tab in the same session (watched the same way)."""
        page = self.context.new_page()
        self._watch(page)
        return page

    def close(self):
        # Leave every page first: its timers (autosave, keep-alive) stop and nothing is in flight when the test's
        # database is emptied next (a request racing the flush deadlocked it on PostgreSQL once).
        for page in self.context.pages:
            try:
                page.goto("about:blank")
            except Exception:  # noqa: BLE001 - a page already gone is closed anyway
                pass
        self.context.close()


def _artifact_dir(node) -> Path:
    return ARTIFACTS / re.sub(r"[^\w.\[\]-]+", "_", node.name)


@pytest.fixture
def viewport():
    """Desktop by default; parametrize `viewport` indirectly or override this fixture for a phone."""
    return DESKTOP


@pytest.fixture
def journey_factory(request, transactional_db, chromium_browser, live_server):
    """journey_factory(name, viewport=None) -> a new Journey (own cookies: a second user in the same test). It
    asks for the database first so that it is torn down first: the browsers close before the database is
    emptied."""
    artifacts = _artifact_dir(request.node)
    shutil.rmtree(artifacts, ignore_errors=True)
    made: list[Journey] = []

    def make(name: str = "main", viewport: dict | None = None) -> Journey:
        folder = artifacts if not made else artifacts / name
        journey = Journey(
            browser=chromium_browser,
            base_url=live_server.url,
            viewport=viewport or request.getfixturevalue("viewport"),
            artifacts=folder,
            name=name,
        )
        made.append(journey)
        return journey

    yield make

    call = getattr(request.node, "rep_call", None)
    failed = call is not None and call.failed
    problems = []
    for journey in made:
        if failed:
            try:
                journey.shot("failure")
            except Exception:  # noqa: BLE001 - the page may be gone; the original failure matters more
                pass
        problems.extend(journey.problems)
        journey.close()
    if problems and not failed:
        pytest.fail("The browser saw problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def bpage(journey_factory) -> Journey:
    """The test's main browser session (desktop unless `viewport` says otherwise)."""
    return journey_factory("main")


@pytest.fixture
def world(transactional_db, django_db_serialized_rollback):
    """The small demo-like world (see world.py), committed so the live server's thread sees it."""
    from .world import build_world

    return build_world()
