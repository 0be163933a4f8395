"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live
server, on the demo clinic, made afresh for each test.

Chromium is /usr/bin/chromium (VENOWATCH_CHROMIUM overrides it); Playwright downloads no browser.
Without Chromium these tests skip, except in CI (CI=true), where they are required and fail.
scripts/test runs them once, in the SQLite run (see there).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from tests.browser.pages import PHONE, Demo, OpenPage, Screen
from tests.live_threads import requests_finished
from venowatch.clinic.models import Clinic
from venowatch.services.demo import DEMO_CLINIC, create_demo

CHROMIUM = Path(os.environ.get("VENOWATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (or set VENOWATCH_CHROMIUM)"
        if IN_CI:
            pytest.fail(f"browser tests are required in CI: {message}", pytrace=False)
        pytest.skip(message)
    expect.set_options(timeout=TIMEOUT_MS)
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in the test's thread, so Django
        # refuses ORM calls from it as "async unsafe" (fixtures making data, assertions on it,
        # the database flush between tests). They run between browser steps, never alongside
        # them; the live server answers from its own thread. Undone when the browser closes.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
            requests_finished()


@pytest.fixture
def demo(live_server: LiveServer, settings: Settings) -> Demo:
    # The demo makes 18 logins; the default hasher would spend seconds on them in every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo(timezone.now())
    return Demo(url=live_server.url, clinic=Clinic.objects.get(name=DEMO_CLINIC))


@pytest.fixture
def open_page(browser: Browser, demo: Demo, request: pytest.FixtureRequest) -> Iterator[OpenPage]:
    """open_page(screen=PHONE, javascript=True): a page in a new browser context (its own
    cookies: one person), on the live server. On failure, says where each page was."""
    pages: list[Page] = []

    def open_page(screen: Screen = PHONE, *, javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=demo.url,
            viewport={"width": screen.width, "height": screen.height},
            device_scale_factor=screen.scale,
            is_mobile=screen.mobile,
            has_touch=screen.mobile,
            java_script_enabled=javascript,
            locale="en-US",
            timezone_id="America/New_York",
            reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page
    reports = [getattr(request.node, f"report_{when}", None) for when in ("setup", "call")]
    failed = any(report is not None and report.failed for report in reports)
    for page in pages:
        if failed and not page.is_closed():
            main = page.locator("main")
            text = main.inner_text() if main.count() else page.content()
            print(f"--- page at {page.url}:\n{text[:1500]}")
        page.context.close()
    requests_finished()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by open_page on failure
    return report
