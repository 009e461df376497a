"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

* The browser is launched from the system (``/usr/bin/chromium``, or ``KEJIJU_CHROMIUM``); Playwright's
  own browser download is never used. Without chromium the tests are skipped — except under CI
  (``CI=true``), where a missing browser fails them, so a broken CI image cannot pass silently.
* ``live_server`` runs the app in a thread of this process with transactional database access, so
  records created in a test (factories) are visible to the server, on SQLite and PostgreSQL alike.
  Static files are served by the live server's static handler (staticfiles finders).
* Browser tests run together at the end of the database tests, with one chromium for all of them
  (started by the first, stopped after the last: see ``_BrowserRuntime`` for what Playwright's
  event loop means for Django).
* Every page records JavaScript errors, CSP violations and failed static/XHR loads; a test that
  leaves any fails in teardown. A failing test leaves a screenshot in ``test-results/failures/``;
  ``screenshot(name)`` saves one to ``test-results/screenshots/`` (both gitignored).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine's network is closed: without these chromium keeps trying to reach its services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 30_000
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium_path() -> str | None:
    """The system chromium to drive, or None when it is not installed."""
    configured = os.environ.get("KEJIJU_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} — CI=true, so browser tests must run, not skip.", pytrace=False)
    pytest.skip(reason)


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _is_e2e(item: pytest.Item | None) -> bool:
    return item is not None and item.get_closest_marker("e2e") is not None


def _uses_db(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or _DB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    return cls is not None and issubclass(cls, TransactionTestCase)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e/ is a browser test (``-m e2e`` selects them, ``-m 'not e2e'`` skips
    them). Browser tests run together, at the end of the database tests: pytest-django has already
    ordered the items as Django does (plain database tests, transactional ones, then tests without
    a database), and browser tests (transactional) go just before the tests without a database.
    Running together lets one browser serve them all and be stopped before the next test."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
    browser_tests = [item for item in items if _is_e2e(item)]
    if not browser_tests:
        return
    others = [item for item in items if not _is_e2e(item)]
    cut = len(others)
    while cut > 0 and not _uses_db(others[cut - 1]):
        cut -= 1
    items[:] = others[:cut] + browser_tests + others[cut:]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    # Keep each phase's report on the item so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class _BrowserRuntime:
    """Playwright and one headless chromium, started by the first browser test and stopped after the
    last one of a run of browser tests (so no other test runs while Playwright is up).

    While Playwright's sync API is started, its asyncio event loop is marked as running in the main
    thread. Two consequences for Django, both handled here for exactly that span:

    * Django refuses ORM calls "from an async context" (SynchronousOnlyOperation) — in test bodies
      and fixtures that are plain synchronous code: ``DJANGO_ALLOW_ASYNC_UNSAFE`` lifts the guard.
    * Django keeps database connections in thread-local storage, but in a separate context-local
      storage while an event loop runs in the thread, so test code would get fresh connection
      objects — on SQLite a new empty in-memory database, on PostgreSQL a second session outside
      the test's. The existing connection objects are handed to that storage too.
    """

    def __init__(self) -> None:
        self.manager: Any = None
        self.browser: Any = None
        self.previous_env: str | None = None

    def start(self) -> Any:
        if self.browser is not None:
            return self.browser
        executable = chromium_path()
        if executable is None:
            _unavailable("chromium is not installed (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - the test extra installs it
            _unavailable("playwright is not installed (pip install -e '.[test]')")
        from django.db import connections

        self.previous_env = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        wrappers = {alias: connections[alias] for alias in connections}
        self.manager = sync_playwright().start()
        for alias, wrapper in wrappers.items():
            connections[alias] = wrapper
        try:
            self.browser = self.manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        except Exception:
            self.stop()
            raise
        return self.browser

    def stop(self) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.browser = None
            if self.manager is not None:
                self.manager.stop()
                self.manager = None
                if self.previous_env is None:
                    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
                else:
                    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self.previous_env


_RUNTIME = _BrowserRuntime()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    try:
        return (yield)
    finally:
        if _is_e2e(item) and not _is_e2e(nextitem):
            _RUNTIME.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _RUNTIME.stop()  # after an interrupted run


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    """``test-results/screenshots/`` under the project root (gitignored); stale failure shots are removed."""
    shutil.rmtree(pytestconfig.rootpath / "test-results" / "failures", ignore_errors=True)
    path = pytestconfig.rootpath / "test-results" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(screenshot_dir: Path) -> Any:
    """The headless chromium shared by a run of browser tests (see ``_BrowserRuntime``)."""
    return _RUNTIME.start()


@pytest.fixture
def page(live_server: Any, browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context and page for one test, pointed at the live server (Chinese locale)."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))

    def on_console(msg: Any) -> None:
        # "Failed to load resource" also fires for deliberate 4xx documents (a 404 page under test);
        # failed subresources are caught by on_response below instead.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console error: {msg.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)

    def on_request_failed(req: Any) -> None:
        # ERR_ABORTED is a request cancelled by the next navigation (or a 4xx already counted above).
        if "ERR_ABORTED" not in (req.failure or ""):
            problems.append(f"request failed: {req.url} ({req.failure})")

    page.on("requestfailed", on_request_failed)
    yield page
    failed = any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed and page.url != "about:blank":
        target = request.config.rootpath / "test-results" / "failures"
        target.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(target / f"{name}.png"), full_page=True)
        except Exception:  # a failed screenshot must not hide the real failure
            pass
    context.close()
    if problems and not failed:
        pytest.fail("The page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def login(page: Any) -> Callable[..., Any]:
    """``login(username, password=TEST_PASSWORD)`` fills in the Chinese login form and submits it."""
    from kejiju.core.testing.factories import TEST_PASSWORD

    def do_login(username: str, password: str = TEST_PASSWORD) -> Any:
        # a signed-in visitor of /login/ is sent home: switching accounts starts signed out
        page.context.clear_cookies()
        page.goto("/login/")
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        return page

    return do_login


@pytest.fixture
def tree(live_server: Any) -> dict[str, Any]:
    """Province 34, city 3411 (滁州市) with counties 341181 (天长市) and 341182 (明光市), a town and a
    village in 天长市 — created through the live server's (transactional) database."""
    from kejiju.core.testing.factories import region

    return {
        "province": region("34", "安徽省"),
        "city": region("3411", "滁州市"),
        "county": region("341181", "天长市"),
        "other_county": region("341182", "明光市"),
        "town": region("341181100", "天长街道"),
        "village": region("341181100001", "测试村"),
    }


@pytest.fixture
def screenshot(page: Any, screenshot_dir: Path) -> Callable[[str], Path]:
    """``screenshot("login")`` saves the whole page to ``test-results/screenshots/login.png``."""

    def take(name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def expect_home_count(page: Any) -> Callable[[str, int | None], None]:
    """``expect_home_count("乡镇（街道）", 1)``: the home page's count card with that label shows that
    number; ``None`` means there is no such card."""
    from playwright.sync_api import expect

    def check(label: str, value: int | None) -> None:
        card = page.get_by_test_id("home-counts").locator(".card", has_text=label)
        if value is None:
            expect(card).to_have_count(0)
        else:
            expect(card).to_have_text(re.compile(rf"^\s*{value:,}\s*{re.escape(label)}\s*$"))

    return check
