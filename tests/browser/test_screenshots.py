"""Screenshots of the main pages for docs/screenshots/, taken on every run from the demo clinic
(patients' pages on a phone, staff pages on a desktop). Dates in them follow the day of the run.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from tests.browser.pages import DESKTOP, PHONE_SHARP, Demo, OpenPage, Screen, sign_in, visit
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
SHOTS: dict[str, tuple[str, Callable[[Demo], str], Screen]] = {
    "patient-status": ("maria", lambda d: reverse("patient-status"), PHONE_SHARP),
    "patient-checkin": ("aiko", lambda d: reverse("patient-checkin"), PHONE_SHARP),
    "patient-history": ("aiko", lambda d: reverse("patient-history"), PHONE_SHARP),
    "patient-nothing-yet": ("ben", lambda d: reverse("patient-checkin"), PHONE_SHARP),
    "staff-worklist": ("alex", lambda d: reverse("worklist"), DESKTOP),
    "staff-patient": ("alex", lambda d: d.staff_page("maria"), DESKTOP),
}


def shoot(open_page: OpenPage, demo: Demo, name: str) -> None:
    who, url, screen = SHOTS[name]
    page = open_page(screen)
    sign_in(page, who)
    visit(page, url(demo))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")


@pytest.mark.parametrize("name", [n for n in SHOTS if n.startswith("patient")])
def test_screenshot_of_patient_page(open_page: OpenPage, demo: Demo, name: str) -> None:
    shoot(open_page, demo, name)


@pytest.mark.parametrize("name", [n for n in SHOTS if n.startswith("staff")])
def test_screenshot_of_staff_page(open_page: OpenPage, demo: Demo, name: str) -> None:
    shoot(open_page, demo, name)
