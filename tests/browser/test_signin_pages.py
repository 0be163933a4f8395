"""Signing in on a phone: the demo's staff give their code, a patient turns on two-step
sign-in from the QR page's typed key, the reset and lockout pages; each page fits 390 px and
has no axe-core violation."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    Demo,
    OpenPage,
    assert_no_violations,
    horizontal_overflow,
    sign_in,
    visit,
)

pytestmark = pytest.mark.browser


def _fits_and_passes(page: Page) -> None:
    layout = horizontal_overflow(page)
    assert layout["overflowing"] == [], f"content past the right edge: {layout}"
    assert layout["scrollWidth"] <= layout["width"], f"the page scrolls sideways: {layout}"
    assert_no_violations(page)


def test_staff_give_their_code_after_the_password(open_page: OpenPage, demo: Demo) -> None:
    page = open_page()
    visit(page, "/staff/")
    page.get_by_label("Username").fill("alex")
    page.get_by_label("Password").fill("venowatch-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.get_by_role("heading", name="Your sign-in code")).to_be_visible()
    _fits_and_passes(page)
    page.get_by_label("Code").fill("000000x")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code does not match")).to_be_visible()
    _fits_and_passes(page)


def test_a_patient_turns_on_two_step_sign_in(open_page: OpenPage, demo: Demo) -> None:
    page = open_page()
    sign_in(page, "aiko")
    page.get_by_role("link", name="Your account: password and two-step sign-in").click()
    _fits_and_passes(page)
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    expect(page.locator("svg.qr")).to_be_visible()
    _fits_and_passes(page)
    secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
    page.get_by_label("Code").fill(f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    _fits_and_passes(page)
    visit(page, "/accounts/")  # now with its two code forms: new recovery codes, turn off
    expect(page.locator("#two-factor-state")).to_contain_text("10 recovery codes are left")
    _fits_and_passes(page)


def test_the_reset_and_lockout_pages(open_page: OpenPage, demo: Demo) -> None:
    page = open_page()
    visit(page, "/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    _fits_and_passes(page)
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("#reset-sent")).to_be_visible()
    _fits_and_passes(page)
    visit(page, "/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("jordan")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#locked-out")).to_contain_text("Try again in 15 minutes.")
    _fits_and_passes(page)
