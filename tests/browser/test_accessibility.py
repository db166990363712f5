"""Accessibility: axe-core finds no WCAG 2.0/2.1 A or AA violation on any main page of any
role, no page scrolls sideways on a 360 px phone, and the main journey works by keyboard.

Each role signs in once and visits its pages in a loop (one browser, one test per role), so
a failure lists every page's problems at once, each named by role, page and width. Every
page is also saved as ``test-artifacts/screens/<role>-<page>-<width>.png`` to look at.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from test_access_matrix import (
    _assessment,
    _batch,
    _concern,
    _consent,
    _contact,
    _disclosure,
    _emergency_access,
    _engagement,
    _goal,
    _meeting,
    _meeting_with_note,
    _participant,
    _plan,
    _referral,
    _supervisee,
    _supervision_session,
    _survey_draft,
    _survey_to_fill,
)

from alongside.meetings.models import Meeting
from alongside.surveys.testing import installed
from browser.signing_in import sign_in
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SCREENS = ARTIFACTS / "screens"
WIDTHS = {360: 740, 1280: 900}
# WCAG 2.0 and 2.1, A and AA, and axe's best practices (heading order, unique landmarks...).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}
# Pages with a violation that another engineer's part must fix, with the reason. Each entry
# is (role, page name): keep this empty when you can.
KNOWN: dict[tuple[str, str], str] = {}

Factory = Callable[[object], dict]


def _none(world) -> dict:
    return {}


def _held_meeting(world) -> dict:
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=45,
        mode="in_person",
    )
    return {"pk": meeting.pk}


def _report(world) -> dict:
    return {"name": "volume"}


def _portal_survey(world) -> dict:
    installed("who-5")
    return {"slug": "who-5"}


def _document_to_sign(world) -> dict:
    return {"pk": world.engagement.pk, "template": world.release.pk}


def _org(world) -> dict:
    return {"object_id": world.org.pk}


def _program(world) -> dict:
    return {"object_id": world.program.pk}


def _public(world) -> dict:
    return {"slug": world.org.slug}


# (page name, url name, kwargs factory): the pages each role works in, from the navigation
# and the links on an engagement's page.
ENGAGEMENT_PAGES = [
    ("engagements", "engagements:list", _none),
    ("engagement", "engagements:detail", _engagement),
    ("timeline", "engagements:timeline", _engagement),
    ("week", "meetings:week", _none),
    ("day", "meetings:day", _none),
    ("meeting", "meetings:detail", _meeting),
    ("note", "notes:detail", _meeting_with_note),
    ("goal", "plans:goal_detail", _goal),
    ("plan", "plans:plan_detail", _plan),
    ("assessment", "assessments:detail", _assessment),
    ("contacts", "contacts:list", _engagement),
    ("emergency-plan", "emergencyplans:view", _engagement),
    ("team-plan", "teamplans:view", _engagement),
]
WRITER_PAGES = [
    ("participant-details", "participants:edit", _participant),
    ("documents", "agreements:record", _engagement),
    ("meeting-new", "meetings:create", _engagement),
    ("meeting-move", "meetings:reschedule", _meeting),
    ("note-write", "notes:write", _held_meeting),
    ("goal-new", "plans:goal_create", _engagement),
    ("step-new", "plans:step_create", _goal),
    ("check-in-new", "plans:check_in_create", _goal),
    ("plan-new", "plans:plan_create", _engagement),
    ("assessment-new", "assessments:create", _engagement),
    ("goal-review-new", "assessments:goal_review_create", _engagement),
    ("surveys", "surveys:record_choose", _engagement),
    ("survey-fill", "surveys:record_new", _survey_to_fill),
    ("survey-draft", "surveys:record_edit", _survey_draft),
    ("consent-new", "consents:create", _engagement),
    ("consent", "consents:detail", _consent),
    ("disclosure-new", "consents:disclosure_create", _engagement),
    ("disclosure", "consents:disclosure_detail", _disclosure),
    ("emergency-plan-edit", "emergencyplans:edit", _engagement),
    ("team-plan-edit", "teamplans:edit", _engagement),
    ("contact-new", "contacts:create", _engagement),
    ("callback", "contacts:callback_returned", _contact),
    ("exit", "exits:start", _engagement),
    ("portal-access", "participants:portal_invite", _participant),
]
EVERYONE = [
    ("notifications", "notifications:list", _none),
    ("password", "accounts:password", _none),
    ("api-tokens", "api_tokens:list", _none),
    ("security", "accounts:security", _none),
]
PAGES: dict[str, list[tuple[str, str, Factory]]] = {
    "coordinator": [
        ("dashboard", "dashboard", _none),
        ("referrals", "referrals:list", _none),
        ("waitlist", "referrals:waitlist", _none),
        ("referral-new", "referrals:create", _none),
        ("referral", "referrals:detail", _referral),
        ("matching", "matching:suggest", _referral),
        ("batch", "matching:batch_detail", _batch),
        ("change-supporter", "matching:change_supporter", _engagement),
        ("extend", "engagements:extend", _engagement),
        *ENGAGEMENT_PAGES,
        *WRITER_PAGES,
        ("concerns", "concerns:list", _none),
        ("concern", "concerns:detail", _concern),
        ("concern-new", "concerns:create", _none),
        ("reports", "reports:index", _none),
        ("report", "reports:report", _report),
        ("saved-reports", "reports:saved", _none),
        ("record-request", "records:request", _participant),
        ("organization", "accounts:organization", _none),
        ("emergency-access", "breakglass:request", _none),
        ("emergency-access-record", "breakglass:detail", _emergency_access),
        *EVERYONE,
    ],
    "supervisor": [
        ("dashboard", "dashboard", _none),
        *ENGAGEMENT_PAGES,
        ("supervision", "supervision:list", _none),
        ("supervisee", "supervision:supporter", _supervisee),
        ("supervision-new", "supervision:create", _supervisee),
        ("supervision-session", "supervision:detail", _supervision_session),
        ("supervision-edit", "supervision:edit", _supervision_session),
        ("concern-new", "concerns:create", _none),
        *EVERYONE,
    ],
    "supporter": [
        ("dashboard", "dashboard", _none),
        *ENGAGEMENT_PAGES,
        *WRITER_PAGES,
        ("calendar", "meetings:calendar", _none),
        ("supervision", "supervision:list", _none),
        ("profile", "accounts:profile", _none),
        ("concern-new", "concerns:create", _none),
        ("my-concerns", "concerns:mine", _none),
        *EVERYONE,
    ],
    "admin": [
        ("admin", "admin:index", _none),
        ("admin-organization", "admin:organizations_organization_change", _org),
        ("admin-programs", "admin:organizations_program_changelist", _none),
        ("admin-program", "admin:organizations_program_change", _program),
        ("admin-users", "admin:accounts_user_changelist", _none),
        ("admin-templates", "admin:agreements_documenttemplate_changelist", _none),
        ("admin-instruments", "admin:surveys_instrument_changelist", _none),
        ("organization", "accounts:organization", _none),
        ("emergency-access-reviews", "breakglass:reviews", _none),
        ("emergency-access-review", "breakglass:review", _emergency_access),
        ("retention", "records:retention", _none),
        *EVERYONE,
    ],
    "participant": [
        ("home", "portal:home", _none),
        ("emergency-plan", "portal:emergency_plan", _none),
        ("emergency-plan-edit", "portal:emergency_plan_edit", _none),
        ("details", "portal:details", _none),
        ("record", "portal:record", _none),
        ("goals", "plans:portal_goals", _none),
        ("goal-check-in", "portal:goal_check_in", _goal),
        ("access-history", "portal:access_history", _none),
        ("documents", "agreements:portal_list", _none),
        ("document-sign", "agreements:portal_sign", _document_to_sign),
        ("surveys", "surveys:portal_list", _none),
        ("survey-fill", "surveys:portal_fill", _portal_survey),
        ("consents", "consents:portal_list", _none),
        ("consent-new", "consents:portal_create", _none),
        ("disclosures", "consents:portal_disclosures", _none),
        ("disclosure-accounting", "consents:portal_accounting", _none),
        ("assessments", "assessments:portal_list", _none),
        ("concern-new", "concerns:create", _none),
        ("my-concerns", "concerns:mine", _none),
        *EVERYONE,
    ],
    # No sign-in: the sign-in page, the public self-referral and concern pages.
    "public": [
        ("sign-in", "accounts:login", _none),
        ("self-referral", "referrals:public", _public),
        ("concern", "concerns:public", _public),
    ],
}
PERSONA = {
    "coordinator": "coordinator",
    "supervisor": "supervisor",
    "supporter": "supporter",
    "admin": "admin",
    "participant": "participant_user",
}


def _violations(results: dict) -> list[dict]:
    """axe's violations, and the contrast checks it left "to review" although it measured the
    ratio: axe does so for text it suspects is hidden, such as white text on white."""
    measured = [
        dict(check, nodes=nodes)
        for check in results["incomplete"]
        if check["id"] == "color-contrast"
        and (
            nodes := [
                node
                for node in check["nodes"]
                if any("contrast ratio" in (c.get("message") or "") for c in node["any"])
            ]
        )
    ]
    return results["violations"] + measured


def _check(page: Page, axe: Axe, role: str, name: str, url: str) -> list[str]:
    """Visit ``url`` at each width: screenshots, axe, sideways scrolling; answer problems."""
    problems = []
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        where = f"{role} {name} ({url}) at {width}px"
        if response is None or response.status != 200:
            status = response.status if response else "nothing"
            problems.append(f"{where}: answered {status} ({page.title()!r})")
            break
        page.screenshot(path=str(SCREENS / f"{role}-{name}-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{where}: scrolls sideways ({scroll}px wide)")
        for violation in _violations(axe.run(page, options=AXE_OPTIONS).response):
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            more = len(violation["nodes"]) - 5
            problems.append(
                f"{where}: {violation['id']} ({violation['impact']}) "
                f"{violation['help']}: {targets}" + (f" and {more} more" if more > 0 else "")
            )
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_every_main_page_passes_axe_and_fits_a_phone(page: Page, world, role):
    if role == "admin":
        world.admin.is_staff = True
        world.admin.save(update_fields=["is_staff"])
    if role in PERSONA:
        sign_in(page, getattr(world, PERSONA[role]).username)
    SCREENS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    problems = []
    for name, url_name, kwargs in PAGES[role]:
        url = reverse(url_name, kwargs=kwargs(world))
        found = _check(page, axe, role, name, url)
        if (role, name) in KNOWN:
            continue
        problems += found
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


def test_known_exceptions_still_name_real_pages():
    names = {(role, name) for role, pages in PAGES.items() for name, _, _ in pages}
    assert set(KNOWN) <= names


def _tab_to(page: Page, locator, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{locator} cannot be reached with Tab")


def _focus_is_visible(page: Page) -> bool:
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        }"""
    )


def test_the_journey_works_by_keyboard_alone(page: Page, world):
    """A supporter skips to the content, opens Pat's engagement, logs a meeting and adds a
    goal with Tab, arrows, Enter and Space only, and sees where the focus is at each step."""
    sign_in(page, world.supporter.username)
    page.goto(reverse("dashboard"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))

    nav = page.get_by_role("navigation", name="Main")
    _tab_to(page, nav.get_by_role("link", name="Engagements"))
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Engagements")

    _tab_to(page, page.locator("main").get_by_role("link", name="Pat Rivera").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pat Rivera")

    _tab_to(page, page.get_by_role("link", name="Log or plan a meeting"))
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # "It happened" is chosen; the date and time are typed into Chromium's date field,
    # the right arrow moving from the year to the hour.
    _tab_to(page, page.get_by_label("It happened"))
    assert _focus_is_visible(page)
    _tab_to(page, page.get_by_label("Date and time"))
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    page.keyboard.type(yesterday.strftime("%m%d%Y"))
    page.keyboard.press("ArrowRight")
    page.keyboard.type("0930AM")
    _tab_to(page, page.get_by_label("Note (staff only)"))
    page.keyboard.type("Talked about the week ahead.")
    _tab_to(page, page.locator("main form button[type=submit]").last)
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    assert world.engagement.meetings.count() == 1

    page.goto(reverse("engagements:detail", kwargs={"pk": world.engagement.pk}))
    _tab_to(page, page.get_by_role("link", name="Add a goal"))
    page.keyboard.press("Enter")
    _tab_to(page, page.locator("#id_statement"))
    page.keyboard.type("Walk to the park twice a week")
    _tab_to(page, page.locator("#id_wellness_dimension"))
    page.keyboard.type("P")  # a closed list takes the first letter of an option
    _tab_to(page, page.locator("main form button[type=submit]").last)
    page.keyboard.press("Space")
    expect(page.locator(".messages")).to_be_visible()
    assert world.engagement.goals.get().statement == "Walk to the park twice a week"
