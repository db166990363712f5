"""Duration guidelines: the flags, and extending support past the guideline with a reason."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.guidelines import MAX_AHEAD_DAYS, guideline_extend
from alongside.engagements.models import Engagement, GuidelineExtension, State
from alongside.engagements.selectors import due_work, engagement_list, guideline_flag
from alongside.engagements.timeline import SOURCES, timeline_page

TODAY = datetime.date(2026, 6, 1)


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _ending_in(engagement: Engagement, days: int) -> Engagement:
    engagement.guideline_ends_on = _days(days)
    engagement.save()
    return engagement


def _extend(world, *, until=None, reason="Still settling into the new flat.", version=None):
    engagement = Engagement.objects.get(pk=world.engagement.pk)
    return guideline_extend(
        engagement=engagement,
        actor=world.coordinator,
        until=until or _days(120),
        reason=reason,
        expected_version=engagement.version if version is None else version,
    )


# The flags ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_in", "flag"),
    [
        (-1, "past"),
        (0, "approaching"),
        (14, "approaching"),
        (15, "concluding"),
        (60, "concluding"),  # the program's checklist opens 60 days before the end
        (61, ""),
    ],
)
def test_the_flag_follows_the_guideline_end(world, ends_in, flag):
    engagement = world.engagement
    engagement.guideline_ends_on = TODAY + datetime.timedelta(days=ends_in)
    assert guideline_flag(engagement, today=TODAY) == flag


def test_the_concluding_point_is_the_programs(world):
    world.program.concluding_checklist_days = 30
    world.program.save()
    engagement = Engagement.objects.select_related("program").get(pk=world.engagement.pk)
    engagement.guideline_ends_on = TODAY + datetime.timedelta(days=45)
    assert guideline_flag(engagement, today=TODAY) == ""
    engagement.guideline_ends_on = TODAY + datetime.timedelta(days=30)
    assert guideline_flag(engagement, today=TODAY) == "concluding"


@pytest.mark.parametrize("state", [State.EXITING, State.CLOSED])
def test_no_flag_once_support_is_ending(world, state):
    engagement = world.engagement
    engagement.state = state
    engagement.guideline_ends_on = TODAY - datetime.timedelta(days=10)
    assert guideline_flag(engagement, today=TODAY) == ""


def test_open_ended_support_has_no_flag(world):
    world.engagement.guideline_ends_on = None
    assert guideline_flag(world.engagement, today=TODAY) == ""


# The service --------------------------------------------------------------------------


def test_extending_moves_the_end_and_keeps_why(world):
    _ending_in(world.engagement, 5)
    extension = _extend(world, until=_days(100))
    engagement = Engagement.objects.get(pk=world.engagement.pk)
    assert engagement.guideline_ends_on == _days(100)
    assert extension.previous_ends_on == _days(5)
    assert extension.new_ends_on == _days(100)
    assert extension.actor == world.coordinator
    assert extension.reason == "Still settling into the new flat."
    event = AuditEvent.objects.get(action="engagement.guideline_extended")
    assert event.object_id == str(engagement.pk)
    assert event.data["to"] == _days(100).isoformat()
    assert guideline_flag(engagement) == ""


def test_an_engagement_without_a_kept_end_extends_from_the_programs(world):
    assert world.engagement.guideline_ends_on is None  # 365 days from its start
    start = world.engagement.started_on
    extension = _extend(world, until=start + datetime.timedelta(days=400))
    assert extension.previous_ends_on == start + datetime.timedelta(days=365)


@pytest.mark.parametrize(
    ("until", "reason", "says"),
    [
        (10, "Still settling in.", "after the current end"),
        (20, "Still settling in.", "after the current end"),
        (MAX_AHEAD_DAYS + 1, "Still settling in.", "at most"),
        (100, "   ", "Say why"),
    ],
)
def test_refusals_change_nothing(world, until, reason, says):
    _ending_in(world.engagement, 20)
    version = Engagement.objects.get(pk=world.engagement.pk).version
    with pytest.raises(RuleViolation, match=says):
        _extend(world, until=_days(until), reason=reason)
    engagement = Engagement.objects.get(pk=world.engagement.pk)
    assert engagement.guideline_ends_on == _days(20)
    assert engagement.version == version
    assert not GuidelineExtension.objects.exists()
    assert not AuditEvent.objects.filter(action="engagement.guideline_extended").exists()


def test_a_date_in_the_past_is_refused(world):
    _ending_in(world.engagement, -30)
    with pytest.raises(RuleViolation, match="future"):
        _extend(world, until=_days(-5))


def test_a_closed_engagement_is_not_extended(world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    with pytest.raises(RuleViolation, match="closed"):
        _extend(world)


def test_open_ended_support_is_not_extended(world):
    world.program.duration_guideline_days = None
    world.program.save()
    with pytest.raises(RuleViolation, match="open-ended"):
        _extend(world)


def test_a_stale_copy_is_refused(world):
    _ending_in(world.engagement, 5)
    stale = Engagement.objects.get(pk=world.engagement.pk).version
    _extend(world, until=_days(50))
    with pytest.raises(StaleEdit):
        _extend(world, until=_days(90), version=stale)
    assert Engagement.objects.get(pk=world.engagement.pk).guideline_ends_on == _days(50)
    assert GuidelineExtension.objects.count() == 1


def test_extensions_show_on_the_timeline(world):
    _ending_in(world.engagement, 5)
    extension = _extend(world)
    _page, entries = timeline_page(world.engagement, list(SOURCES))
    assert [e.obj for e in entries if e.kind == "extension"] == [extension]


# Pages --------------------------------------------------------------------------------


def _url(world):
    return reverse("engagements:extend", kwargs={"pk": world.engagement.pk})


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("supporter", 403),
        ("supervisor", 403),
        ("admin", 403),
        ("participant_user", 403),
        ("outsider", 404),
    ],
)
def test_only_coordinators_extend(client, world, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(_url(world)).status_code == status
    response = client.post(
        _url(world), {"until": _days(500).isoformat(), "reason": "More time", "version": 1}
    )
    assert response.status_code == (302 if status == 200 else status)
    assert GuidelineExtension.objects.count() == (1 if status == 200 else 0)


def test_the_page_extends_and_lists_earlier_extensions(client, world):
    _ending_in(world.engagement, 5)
    client.force_login(world.coordinator)
    engagement = Engagement.objects.get(pk=world.engagement.pk)
    response = client.post(
        _url(world),
        {
            "until": _days(90).isoformat(),
            "reason": "Finishing the job search together.",
            "version": engagement.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#guideline")
    page = client.get(_url(world)).content.decode()
    assert "Finishing the job search together." in page
    detail = client.get(reverse("engagements:detail", kwargs={"pk": engagement.pk}))
    assert "extended once" in detail.content.decode()
    assert reverse("engagements:extend", kwargs={"pk": engagement.pk}) in detail.content.decode()


def test_the_page_answers_400_for_bad_input_and_409_for_refusals(client, world):
    _ending_in(world.engagement, 5)
    client.force_login(world.coordinator)
    version = Engagement.objects.get(pk=world.engagement.pk).version
    missing_reason = client.post(_url(world), {"until": _days(90).isoformat(), "version": version})
    assert missing_reason.status_code == 400
    too_early = client.post(
        _url(world), {"until": _days(2).isoformat(), "reason": "More", "version": version}
    )
    assert too_early.status_code == 409
    stale = client.post(
        _url(world), {"until": _days(90).isoformat(), "reason": "More", "version": version + 7}
    )
    assert stale.status_code == 409
    assert "changed" in stale.content.decode()
    assert not GuidelineExtension.objects.exists()


def test_a_closed_engagement_offers_no_form(client, world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    client.force_login(world.coordinator)
    response = client.get(_url(world))
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[-1].split("</main>", 1)[0]
    assert "<form" not in main  # the footer's language choice is not the page's
    posted = client.post(
        _url(world), {"until": _days(90).isoformat(), "reason": "More", "version": 1}
    )
    assert posted.status_code == 409


def test_supporters_see_no_extend_link(client, world):
    client.force_login(world.supporter)
    detail = client.get(reverse("engagements:detail", kwargs={"pk": world.engagement.pk}))
    assert reverse("engagements:extend", kwargs={"pk": world.engagement.pk}) not in (
        detail.content.decode()
    )


# The caseload -------------------------------------------------------------------------


def test_the_caseload_filters_by_guideline(world):
    _ending_in(world.engagement, -3)
    _ending_in(world.other_engagement, 10)
    coordinator = world.coordinator
    ending = engagement_list(coordinator, world.org, guideline="ending")
    assert set(ending) == {world.engagement, world.other_engagement}
    assert list(engagement_list(coordinator, world.org, guideline="past")) == [world.engagement]
    world.engagement.state = State.EXITING
    world.engagement.save()
    assert list(engagement_list(coordinator, world.org, guideline="ending")) == [
        world.other_engagement
    ]


def test_the_caseload_shows_flags_and_extensions(client, world, django_assert_max_num_queries):
    _ending_in(world.engagement, 5)
    _extend(world, until=_days(40))
    _extend(world, until=_days(50))
    _ending_in(world.other_engagement, -2)
    client.force_login(world.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("engagements:list"), {"guideline": "ending"})
    page = response.content.decode()
    assert "past guideline" in page
    assert "Quinn" in page and "Pat" not in page.split("<tbody>", 1)[1]
    everyone = client.get(reverse("engagements:list")).content.decode()
    assert "extended 2 times" in everyone
    assert "concluding" in everyone


def test_the_dashboard_and_the_caseload_watch_the_same_engagements(world):
    _ending_in(world.engagement, -3)
    for state, watched in ((State.MATCHED, True), (State.EXITING, False)):
        Engagement.objects.filter(pk=world.engagement.pk).update(state=state)
        caseload = set(engagement_list(world.coordinator, world.org, guideline="past"))
        endings = set(due_work(world.coordinator, world.org)["endings"])
        assert (world.engagement in caseload) is watched
        assert (world.engagement in endings) is watched
