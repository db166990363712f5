"""A participant's own progress check-ins: only on their own goals, only while support is open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.plans.models import CheckIn
from alongside.plans.services import check_in_by_participant
from alongside.plans.testing import a_goal


def _url(goal) -> str:
    return reverse("portal:goal_check_in", args=[goal.pk])


def _close(engagement) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(state=State.CLOSED)
    engagement.refresh_from_db()


def test_the_participant_checks_in_on_their_own_goal(world):
    goal = a_goal(world.engagement, world.supporter)

    check_in = check_in_by_participant(
        goal=goal, actor=world.participant_user, rating=4, note=" Walked twice "
    )

    assert check_in.recorded_by == world.participant_user
    assert (check_in.rating, check_in.note) == (4, "Walked twice")
    assert AuditEvent.objects.filter(
        action="goal.checked_in", actor=world.participant_user
    ).exists()


def test_nobody_else_checks_in_in_the_participants_name(world):
    goal = a_goal(world.engagement, world.supporter)

    with pytest.raises(RuleViolation):
        check_in_by_participant(goal=goal, actor=world.supporter, rating=3)
    assert not CheckIn.objects.exists()


def test_a_goal_of_a_closed_engagement_takes_no_check_in(world):
    goal = a_goal(world.engagement, world.supporter)
    _close(world.engagement)
    goal.refresh_from_db()

    with pytest.raises(RuleViolation):
        check_in_by_participant(goal=goal, actor=world.participant_user, rating=3)
    assert not CheckIn.objects.exists()


def test_the_portal_page_records_a_check_in_and_goes_back_to_my_goals(client, world):
    goal = a_goal(world.engagement, world.supporter)
    client.force_login(world.participant_user)
    assert client.get(_url(goal)).status_code == 200

    response = client.post(_url(goal), {"rating": "2", "note": "A hard week"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("plans:portal_goals"))
    check_in = CheckIn.objects.get()
    assert (check_in.goal, check_in.rating, check_in.recorded_by) == (
        goal,
        2,
        world.participant_user,
    )
    page = client.get(reverse("plans:portal_goals")).content.decode()
    assert "A hard week" in page and _url(goal) in page


@pytest.mark.parametrize(
    "data", [{}, {"rating": "9"}, {"rating": "x"}, {"rating": "3", "note": "n" * 2001}]
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(client, world, data):
    goal = a_goal(world.engagement, world.supporter)
    client.force_login(world.participant_user)

    response = client.post(_url(goal), data)

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_someone_elses_goal_is_not_found(client, world):
    goal = a_goal(world.other_engagement, world.other_supporter)
    client.force_login(world.participant_user)

    assert client.get(_url(goal)).status_code == 404
    assert client.post(_url(goal), {"rating": "3"}).status_code == 404
    assert not CheckIn.objects.exists()


def test_staff_use_their_own_check_in_page_not_the_portals(client, world):
    goal = a_goal(world.engagement, world.supporter)
    client.force_login(world.supporter)

    assert client.post(_url(goal), {"rating": "3"}).status_code == 403
    assert not CheckIn.objects.exists()


def test_a_closed_engagement_says_why_and_takes_nothing(client, world):
    goal = a_goal(world.engagement, world.supporter)
    _close(world.engagement)
    client.force_login(world.participant_user)

    response = client.post(_url(goal), {"rating": "3"})

    assert response.status_code == 409
    assert "This support has ended" in response.content.decode()
    assert not CheckIn.objects.exists()
    assert _url(goal) not in client.get(reverse("plans:portal_goals")).content.decode()


def test_the_team_sees_which_check_ins_are_the_participants_own(client, world):
    from alongside.plans.selectors import goal_detailed
    from alongside.plans.services import check_in_record

    goal = a_goal(world.engagement, world.supporter)
    check_in_record(goal=goal, actor=world.supporter, rating=2, note="Sunny's view")
    check_in_by_participant(goal=goal, actor=world.participant_user, rating=4, note="Mine")

    marks = [(c.note, c.by_participant) for c in goal_detailed(goal).check_in_list]
    assert marks == [("Sunny's view", False), ("Mine", True)]
    client.force_login(world.supporter)
    page = client.get(reverse("plans:goal_detail", args=[goal.pk])).content.decode()
    assert '<span class="badge">Participant</span> Mine' in page
