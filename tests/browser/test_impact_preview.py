"""The clinic's administrator changes the protocol file on a phone: the admin previews what
the new file changes, and saves it only when the preview's button is pressed (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import Demo, OpenPage, horizontal_overflow, sign_in, visit
from tests.impact_fixtures import WIDER

pytestmark = pytest.mark.browser


def test_a_new_protocol_file_is_previewed_then_saved(open_page: OpenPage, demo: Demo) -> None:
    page = open_page()
    sign_in(page, "admin")
    visit(page, f"/admin/clinic/clinic/{demo.clinic.pk}/change/")
    page.locator("#id_protocol_text").fill(WIDER)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What the new protocol file")
    expect(page.get_by_text("The replayed history under both files")).to_be_visible()
    # The preview's own style sheet makes its tables scroll: horizontal_overflow measures once
    # the page has loaded (under load the text is there before the sheet is).
    overflow = horizontal_overflow(page)
    assert not overflow["overflowing"], overflow
    demo.clinic.refresh_from_db()
    assert demo.clinic.protocol_text == ""  # nothing saved by the first press
    page.get_by_role("button", name="Save this protocol and re-assess every patient").click()
    expect(page.get_by_text("The protocol changed:")).to_be_visible()
    demo.clinic.refresh_from_db()
    assert demo.clinic.protocol_text == WIDER
