"""The staff patient page opens with who the patient is and how to reach them: on a 1366 x 768
laptop, the tap-to-call link and the open task's heading are on screen before any scrolling."""

from __future__ import annotations

import pytest

from tests.browser.pages import LAPTOP, Demo, OpenPage, sign_in, visit
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def test_phone_and_open_task_are_above_the_fold(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(LAPTOP)
    sign_in(page, "alex")
    visit(page, demo.staff_page("maria"))
    call = page.locator("#call-patient")
    assert call.get_attribute("href") == "tel:+16175550100"
    task = page.locator("#tasks article.task h3").first
    assert "call" in task.inner_text().lower()
    for what in (call, task):
        box = what.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= LAPTOP.height, (what, box)
    header = page.locator(".patient-card").inner_text()
    assert "years old" in header
    assert "MRN 100200" in header
    shots = ROOT / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shots / "staff-patient-fold.png", animations="disabled")
