"""The whole loop, patient to advocate: a patient reports a decline, their advocate sees them
rise on the worklist, reads why, and resolves the task it opened.

What this relies on in the staff pages (tell the tests if it changes):
- the worklist (URL name `worklist`) links each patient to their page (`staff-patient`),
  most urgent first;
- the patient page shows each reason of the assessment, in staff wording, in a list item with
  its clause (e.g. "C2"), and a <details> "What the cited clauses of the guide say" listing
  the clauses as terms (<dt>);
- each open task is an <article> that shows the task's reason and holds a form with a text box
  (how it was resolved), for a possible clot a select "Outcome", and a button whose name
  begins "Resolve"; once resolved, the note shows on the page.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.pages import DESKTOP, PHONE, Demo, OpenPage, sign_in, visit
from venowatch.clinic.models import Patient, Task, TaskStatus

pytestmark = pytest.mark.browser

STAFF_PATIENT_URL = re.compile(r"^/staff/patients/(\d+)/$")


def worklist_order(page: Page) -> list[int]:
    """The patients on the worklist, as ids in the order shown."""
    visit(page, reverse("worklist"))
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.pathname)")
    order: list[int] = []
    for href in hrefs:
        match = STAFF_PATIENT_URL.match(href)
        if match and int(match[1]) not in order:
            order.append(int(match[1]))
    return order


def test_staff_story_a_decline_rises_on_the_worklist_and_the_advocate_resolves_it(
    open_page: OpenPage, demo: Demo
) -> None:
    # Tom had his venoplasty 3 hours ago; Jordan is his patient advocate.
    tom = demo.patient("tom")
    assert tom.advocate is not None
    advocate = open_page(DESKTOP)
    sign_in(advocate, tom.advocate.username)
    before = worklist_order(advocate)
    assert tom.pk in before, "Tom is not on his advocate's worklist"
    assert before.index(tom.pk) > 0

    # Tom feels much worse, hours after the procedure: a possible blood clot.
    patient = open_page(PHONE)
    sign_in(patient, "tom")
    visit(patient, reverse("patient-checkin"))
    patient.get_by_label("Much worse", exact=True).check()
    patient.get_by_role("button", name="Save my check-in").click()
    expect(patient).to_have_url(demo.url + reverse("patient-status"))
    expect(patient.get_by_role("alert")).to_contain_text("Possible blood clot: act now")

    # On Jordan's worklist Tom has risen, behind no one who is not an emergency too.
    after = worklist_order(advocate)
    assert after.index(tom.pk) < before.index(tom.pk), f"Tom did not rise: {before} -> {after}"
    emergencies = set(
        Patient.objects.filter(assessment__urgency="emergency").values_list("pk", flat=True)
    )
    assert set(after[: after.index(tom.pk)]) <= emergencies, f"not first: {after}"

    # Jordan opens Tom's page and reads why, clause by clause.
    advocate.locator(f'main a[href="{demo.staff_page("tom")}"]').first.click()
    expect(advocate).to_have_url(demo.url + demo.staff_page("tom"))
    tom.refresh_from_db()
    reason = next(r for r in tom.assessment.rationale if r["clause"] == "C2")
    expect(advocate.get_by_role("listitem").filter(has_text=reason["staff"])).to_contain_text("C2")
    clauses = advocate.locator("details").filter(
        has=advocate.get_by_text("What the cited clauses of the guide say")
    )
    clauses.get_by_text("What the cited clauses of the guide say").click()
    expect(clauses.get_by_role("term").filter(has_text="C2")).to_be_visible()

    # ... and resolves the task the check-in opened.
    task = Task.objects.get(patient=tom, status=TaskStatus.OPEN, kind="call_patient")
    resolve = (
        advocate.get_by_role("article")
        .filter(has_text=task.reason)
        .locator("form")
        .filter(has=advocate.get_by_role("button", name=re.compile(r"^Resolve")))
    )
    note = "Reached Tom by phone; Dr. Ruiz is seeing him now."
    # Issue 11: a possible clot's task is resolved with its outcome as well as a note.
    resolve.get_by_label("Outcome").select_option(label="Reached, seen by the IR")
    resolve.get_by_role("textbox").fill(note)
    resolve.get_by_role("button", name=re.compile(r"^Resolve")).click()
    expect(advocate.get_by_text(note)).to_be_visible()
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED
    event = task.events.latest("at")
    assert (event.note, event.actor_id) == (note, tom.advocate.pk)
