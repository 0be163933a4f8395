"""The outcome figures as the demo's analyst sees them on a 390 x 844 phone: reached from the
staff links, the page fits the screen, axe-core finds nothing, every chart has a text
alternative and its table, the limits of the figures are on screen, and the CSV it downloads
names nobody. The screenshot is kept in docs/screenshots/outcomes-phone.png."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    PHONE_SHARP,
    Demo,
    OpenPage,
    assert_no_violations,
    horizontal_overflow,
    sign_in,
    visit,
)
from tests.conftest import ROOT
from venowatch.clinic.models import Patient
from venowatch.services.outcomes.wording import LIMITS

pytestmark = pytest.mark.browser

SHOT = ROOT / "docs" / "screenshots" / "outcomes-phone.png"


def _open_from_the_staff_links(page: Page) -> None:
    visit(page, "/")
    page.get_by_role("navigation").get_by_role("link", name="Outcomes").click()
    expect(page).to_have_url(re.compile(r"/staff/outcomes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How patients fare after a venoplasty"
    )


def test_the_analyst_reads_the_figures_on_a_phone(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(PHONE_SHARP)
    sign_in(page, "analyst")
    _open_from_the_staff_links(page)
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["width"], overflow
    assert not overflow["overflowing"], overflow
    # Nor do its tables need scrolling sideways: a column scrolled off reads as missing.
    cut = page.locator(".outcomes .table-scroll").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
        "  .map(e => `${e.scrollWidth} > ${e.clientWidth}: ${e.innerText.slice(0, 60)}`)"
    )
    assert not cut, cut
    assert_no_violations(page)
    for limit in LIMITS:
        expect(page.get_by_text(limit)).to_be_visible()
    expect(page.get_by_text("left out for having withdrawn their consent")).to_be_visible()
    charts = page.locator("figure.chart svg")
    assert charts.count() == 5  # four curves and the impression of change
    for i in range(charts.count()):
        _has_a_text_alternative_and_a_table(page, charts.nth(i))
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOT, full_page=True, animations="disabled")


def _has_a_text_alternative_and_a_table(page: Page, chart: object) -> None:
    from playwright.sync_api import Locator

    assert isinstance(chart, Locator)
    assert chart.get_attribute("role") == "img"
    labelled = (chart.get_attribute("aria-labelledby") or "").split()
    words = [page.locator(f"[id='{i}']").text_content() or "" for i in labelled]
    assert len(labelled) == 2, labelled
    assert all(w.strip() for w in words), labelled
    assert chart.evaluate("el => el.getBoundingClientRect().width") > 0
    # The numbers it draws are also a table, in the same section, after it.
    section = chart.locator("xpath=ancestor::section[1]")
    table = section.locator("table")
    assert table.count() == 1
    expect(table.first).to_be_attached()
    assert table.first.locator("tbody tr").count() >= 4


def test_the_csv_it_downloads_names_nobody(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(PHONE_SHARP)
    sign_in(page, "analyst")
    _open_from_the_staff_links(page)
    link = page.get_by_role("link", name=re.compile("Download the episodes"))
    expect(link).to_be_visible()
    with page.expect_download() as started:
        link.click()
    download = started.value
    text = download.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the demo clinic has operated patients"
    assert all(re.fullmatch(r"[0-9a-f]{20}", r["patient"]) for r in rows), "keyed hashes"
    for p in Patient.objects.filter(clinic=demo.clinic).select_related("user"):
        for named in (p.name, *p.name.split(), p.user.email if p.user else ""):
            if len(named) > 2:
                assert named.lower() not in text.lower(), named
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "no dates: days since the procedure"
