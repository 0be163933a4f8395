"""The Content Security Policy allows no inline script or style, and no page needs one: the
browser reports no violation on the pages people use (the chart's SVG included) nor on the
API's docs page, which has its own policy (docs/decisions.md, the harden part)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.pages import DESKTOP, PHONE, Demo, OpenPage, sign_in, visit

pytestmark = pytest.mark.browser


def _watch(page: Page) -> list[str]:
    refused: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", seen)
    return refused


def test_staff_pages_break_no_rule_of_the_policy(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(DESKTOP)
    refused = _watch(page)
    visit(page, reverse("login"))
    sign_in(page, "alex")
    visit(page, reverse("worklist"))
    visit(page, demo.staff_page("maria"))
    page.locator("figure.chart svg").wait_for()
    visit(page, "/api/v1/docs")
    page.locator("#swagger-ui .info").wait_for()
    assert not refused, "\n".join(refused)


def test_patient_pages_break_no_rule_of_the_policy(open_page: OpenPage) -> None:
    page = open_page(PHONE)
    refused = _watch(page)
    sign_in(page, "maria")
    for name in ("patient-status", "patient-checkin", "patient-history"):
        visit(page, reverse(name))
    assert not refused, "\n".join(refused)


def test_a_page_carries_the_policy(open_page: OpenPage) -> None:
    page = open_page(PHONE)
    response = page.goto(reverse("login"))
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
