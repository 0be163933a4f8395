"""Issue 11, the clot story end to end: an emergency ends when a person ends it.

Tom's symptoms come back hours after his venoplasty; his advocate sees him on top and
acknowledges the task; Tom checks in "a little better", yet stays on top with the task
acknowledged and sees the notice on all three of his pages; after the clinic's set time the
sweep (given a later instant) reminds the advocate and on-call; the advocate records a call
and resolves the task with its outcome, and only then does Tom leave the top.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.pages import DESKTOP, PHONE, Demo, OpenPage, sign_in, visit
from venowatch.clinic.models import Task, TaskStatus
from venowatch.notify.models import Kind, Notification
from venowatch.services.sweep import sweep

pytestmark = pytest.mark.browser

STAFF_PATIENT_URL = re.compile(r"^/staff/patients/(\d+)/$")
PATIENT_PAGES = ("patient-status", "patient-checkin", "patient-history")


def on_top(page: Page) -> list[int]:
    """The patients the worklist marks as having an open possible-clot task, in its order,
    having checked that they come before every other patient."""
    visit(page, reverse("worklist"))
    rows = page.locator("main tbody tr")
    marked: list[int] = []
    for i in range(rows.count()):
        row = rows.nth(i)
        href = row.locator("a.row-link").get_attribute("href") or ""
        match = STAFF_PATIENT_URL.match(href)
        assert match, href
        if "Possible blood clot, task open." in row.inner_text():
            assert len(marked) == i, "an open emergency below a patient without one"
            marked.append(int(match[1]))
    return marked


def check_in(page: Page, demo: Demo, feeling: str, symptoms_back: bool = False) -> None:
    visit(page, reverse("patient-checkin"))
    page.get_by_label(feeling, exact=True).check()
    if symptoms_back:
        page.get_by_label("Have the symptoms you had before the procedure come back?").check()
    # Wait for the answer (the status page, or the form asking to confirm a repeat) before
    # looking for the confirmation: on a loaded machine the old page is still there.
    with page.expect_navigation():
        page.get_by_role("button", name="Save my check-in").click()
    again = page.get_by_label("Save anyway: this is another one")
    if again.count():  # the story's check-ins come seconds apart: a real one comes hours later
        again.check()
        page.get_by_role("button", name="Save my check-in").click()
    expect(page).to_have_url(demo.url + reverse("patient-status"))


def test_clot_story_the_emergency_stays_on_top_until_a_person_resolves_it(
    open_page: OpenPage, demo: Demo
) -> None:
    tom = demo.patient("tom")
    assert tom.advocate is not None
    advocate = open_page(DESKTOP)
    sign_in(advocate, tom.advocate.username)
    assert tom.pk not in on_top(advocate)

    # Three hours after his venoplasty, Tom's symptoms are back: a possible clot.
    patient = open_page(PHONE)
    sign_in(patient, "tom")
    check_in(patient, demo, "No different", symptoms_back=True)
    alert = patient.locator("#clot-notice")
    expect(alert).to_contain_text("Possible blood clot: act now")
    expect(alert).to_contain_text("Your care team was alerted")
    assert tom.pk in on_top(advocate)

    # Jordan acknowledges the task on Tom's page.
    visit(advocate, demo.staff_page("tom"))
    task = Task.objects.get(patient=tom, emergency=True)
    article = advocate.locator(f"#task-{task.pk}")
    expect(article).to_contain_text("New: nobody has acknowledged it yet")
    article.get_by_role("button", name=re.compile(r"^Acknowledge")).click()
    expect(advocate.locator(f"#task-{task.pk}-state")).to_contain_text("Acknowledged by")

    # Tom feels a little better: the protocol moves on, the task does not.
    check_in(patient, demo, "A little better")
    tom.refresh_from_db()
    assert tom.assessment.urgency != "emergency"
    assert tom.pk in on_top(advocate)
    row = advocate.locator("main tbody tr").filter(has_text="Tom Whitaker")
    expect(row).to_contain_text("Acknowledged by")
    for name in PATIENT_PAGES:
        visit(patient, reverse(name))
        notice = patient.locator("#clot-notice")
        expect(notice).to_contain_text("You reported a possible blood clot")
        expect(notice).to_contain_text("Your care team was alerted")
        expect(notice.locator('a[href^="tel:"]').first).to_be_visible()

    # Past the clinic's set time the sweep reminds whoever acknowledged it, and on-call.
    later = timezone.now() + timedelta(hours=demo.clinic.resolve_within, minutes=1)
    assert sweep(timezone.now()).unresolved == 0
    assert sweep(later).unresolved == 1
    reminded = Notification.objects.filter(kind=Kind.UNRESOLVED, task=task)
    assert tom.advocate.email in set(reminded.values_list("address", flat=True))

    # Jordan records the call and resolves the task with its outcome.
    visit(advocate, demo.staff_page("tom"))
    article = advocate.locator(f"#task-{task.pk}")
    call = article.locator("form").filter(
        has=advocate.get_by_role("button", name=re.compile(r"^Record the call"))
    )
    call.get_by_label("Call result").select_option(label="Reached")
    call.get_by_label("Note on the call").fill("Tom answered at once.")
    call.get_by_role("button", name=re.compile(r"^Record the call")).click()
    expect(advocate.locator(f"#task-{task.pk}")).to_contain_text("Call: Reached")
    assert tom.pk in on_top(advocate), "a call does not close the emergency"
    visit(advocate, demo.staff_page("tom"))
    resolve = (
        advocate.locator(f"#task-{task.pk}")
        .locator("form")
        .filter(has=advocate.get_by_role("button", name=re.compile(r"^Resolve")))
    )
    resolve.get_by_label("Outcome").select_option(label="Reached, seen by the IR")
    resolve.get_by_role("textbox").fill("Dr. Ruiz saw him; no clot on the scan.")
    resolve.get_by_role("button", name=re.compile(r"^Resolve")).click()
    expect(advocate.get_by_text("Dr. Ruiz saw him; no clot on the scan.")).to_be_visible()
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED

    # Only now does Tom leave the top, and his pages stop warning.
    assert tom.pk not in on_top(advocate)
    for name in PATIENT_PAGES:
        visit(patient, reverse(name))
        expect(patient.locator("#clot-notice")).to_have_count(0)
