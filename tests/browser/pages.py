"""What the browser tests do on pages: sign in, visit, scan with axe-core, tab, measure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Protocol

from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from tests.signin_fixtures import current_code
from venowatch.clinic.models import Clinic, Patient
from venowatch.services.demo import DEMO_PASSWORD


@dataclass(frozen=True)
class Screen:
    width: int
    height: int
    mobile: bool = False
    scale: float = 1


@dataclass(frozen=True)
class Demo:
    """The demo clinic (venowatch.services.demo) in the test database, served at `url`."""

    url: str
    clinic: Clinic

    def patient(self, username: str) -> Patient:
        return Patient.objects.select_related("clinic").get(user__username=username)

    def staff_page(self, username: str) -> str:
        return reverse("staff-patient", args=[self.patient(username).pk])


class OpenPage(Protocol):
    """The open_page fixture: a page in a new browser context (one person's cookies)."""

    def __call__(self, screen: Screen = ..., *, javascript: bool = True) -> Page: ...


PHONE = Screen(390, 844, mobile=True)
LAPTOP = Screen(1366, 768)
PHONE_SHARP = Screen(390, 844, mobile=True, scale=2)  # for screenshots
DESKTOP = Screen(1280, 800)
DESKTOP_AT_200_PERCENT = Screen(640, 400)  # a 1280 x 800 window zoomed to 200%

# The tags of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core tags by version and level).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def visit(page: Page, path: str) -> None:
    """GET a page, which must answer 200."""
    response = page.goto(path)
    status = response.status if response else "no response"
    assert status == 200, f"GET {path} answered {status}, not 200"


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in as a person does: the password, then, for the demo's staff (whose authenticator
    is set up with a fixed secret), the code their app would show now."""
    visit(page, reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if "/accounts/two-factor/" in page.url:
        page.get_by_label("Code").fill(current_code(username))
        page.get_by_role("button", name="Continue").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now (once it has loaded: see
    horizontal_overflow)."""
    page.wait_for_load_state("load")
    page.evaluate(AXE_SOURCE)
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
    return list(results["violations"])


def describe_violations(page: Page, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} axe-core violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f"  [{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]"
        )
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  * at {' '.join(str(t) for t in node['target'])}")
            lines.append(f"    {node['html'][:300]}")
            for line in str(node.get("failureSummary", "")).splitlines():
                lines.append(f"    {line}")
    return "\n".join(lines)


def assert_no_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(page, violations)


def is_focused(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 40) -> int:
    """Press Tab until `target` has the focus (unless it has it already); return how many
    presses it took. The focused control must show it (WCAG 2.4.7): a visible outline."""
    presses = 0
    while not is_focused(target):
        if presses == limit:
            raise AssertionError(f"{limit} presses of Tab never reached {target}")
        page.keyboard.press("Tab")
        presses += 1
    style, width = target.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth] }"
    )
    assert style != "none", "focus not shown: no outline"
    assert width != "0px", "focus not shown: outline 0px wide"
    return presses


# Every element or text whose right edge passes the viewport's, outside scrolling containers
# (a wide table may scroll inside its own box; the page itself must not).
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1 || inScroller(el)) continue;
    out.push(`${name(el)} reaches ${Math.round(r.right)}px: ${el.textContent.trim().slice(0, 60)}`);
  }
  // Text can overflow a box that itself fits (a word too long for its line).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || inScroller(node)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = Math.max(0, ...Array.from(range.getClientRects(), r => r.right));
    if (right > width + 1) {
      out.push(`text in ${name(node.parentElement)} reaches ${Math.round(right)}px: ` +
        node.textContent.trim().slice(0, 60));
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, overflowing: out.slice(0, 20)};
}"""


def horizontal_overflow(page: Page) -> dict[str, Any]:
    # A click that follows a link returns once the new page is committed, which may be before
    # it has a body: measure the page the person will see, once it has loaded.
    page.wait_for_load_state("load")
    result: dict[str, Any] = page.evaluate(_OVERFLOW)
    return result


def double_text_size(page: Page) -> None:
    """What a browser's text size at 200% does: the root font size doubles (whatever share of
    the browser's default the site's CSS asks for), and every rem and em follows it."""
    page.evaluate(
        """() => {
          const root = document.documentElement;
          const size = parseFloat(getComputedStyle(root).fontSize);
          root.style.setProperty('font-size', `${2 * size}px`, 'important');
        }"""
    )
