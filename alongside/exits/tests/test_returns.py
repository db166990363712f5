"""The way back: reopening support for a closed engagement, and the referral that says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.exits.returns import support_reopen
from alongside.exits.selectors import returning_history
from alongside.exits.services import exit_complete, exit_start
from alongside.exits.testing import checklist_done
from alongside.referrals.models import Referral, Status


def closed(world) -> Engagement:
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    checklist_done(world.engagement, world.supporter)
    exit_complete(engagement=world.engagement, actor=world.supporter)
    return Engagement.objects.get(pk=world.engagement.pk)


def test_reopening_makes_a_matched_return_referral_and_a_linked_engagement(world):
    earlier = closed(world)

    again = support_reopen(
        engagement=earlier, supporter=world.other_supporter, actor=world.coordinator
    )

    assert again.state == State.ONBOARDING
    assert again.previous == earlier
    assert (again.participant, again.program) == (earlier.participant, earlier.program)
    assert again.supporter == world.other_supporter
    referral = again.referral
    assert referral.status == Status.MATCHED
    assert referral.screened_by == world.coordinator
    assert "Returning to support" in referral.source_detail
    assert AuditEvent.objects.filter(action="engagement.reopened").exists()


def test_reopening_with_the_same_supporter(world):
    earlier = closed(world)

    again = support_reopen(engagement=earlier, supporter=world.supporter, actor=world.coordinator)

    assert again.supporter == world.supporter


def test_an_open_engagement_cannot_be_reopened(world):
    with pytest.raises(RuleViolation, match="Only a closed"):
        support_reopen(
            engagement=world.engagement, supporter=world.supporter, actor=world.coordinator
        )
    assert not Referral.objects.exists()


def test_reopening_needs_a_supporter_of_the_organization(world):
    earlier = closed(world)

    with pytest.raises(RuleViolation, match="peer supporter"):
        support_reopen(engagement=earlier, supporter=world.outsider, actor=world.coordinator)

    assert not Referral.objects.exists()
    assert Engagement.objects.filter(participant=world.participant).count() == 1


def test_returning_history_lists_earlier_engagements_for_the_referral(world):
    earlier = closed(world)
    again = support_reopen(engagement=earlier, supporter=world.supporter, actor=world.coordinator)

    history = returning_history(world.coordinator, world.org, again.referral)

    assert history["earlier"] == [earlier]
    assert history["reopened_from"] == earlier
    assert (
        returning_history(
            world.coordinator, world.org, _new_referral(world, world.other_participant)
        )
        is None
    )


def _new_referral(world, participant) -> Referral:
    return Referral.objects.create(
        organization=world.org,
        program=world.program,
        participant=participant,
        source="self",
        needs="Again",
        status="new",
    )


# Pages


def test_the_coordinator_reopens_from_the_page_with_the_previous_supporter_chosen(world, client):
    earlier = closed(world)
    client.force_login(world.coordinator)
    url = reverse("exits:reopen", args=[earlier.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{world.supporter.pk}" selected' in page.content.decode()

    response = client.post(url, {"supporter": world.other_supporter.pk, "needs": "Back again."})

    again = Engagement.objects.get(previous=earlier)
    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:detail", args=[again.pk])
    assert again.supporter == world.other_supporter
    assert again.referral.needs == "Back again."


def test_reopening_an_open_engagement_from_the_page_is_refused(world, client):
    client.force_login(world.coordinator)

    response = client.post(
        reverse("exits:reopen", args=[world.engagement.pk]), {"supporter": world.supporter.pk}
    )

    assert response.status_code == 409
    assert not Referral.objects.exists()


def test_a_bad_supporter_on_the_page_is_bad_input(world, client):
    earlier = closed(world)
    client.force_login(world.coordinator)

    response = client.post(reverse("exits:reopen", args=[earlier.pk]), {"supporter": "nobody"})

    assert response.status_code == 400
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("supporter", 403), ("supervisor", 403), ("participant_user", 403), ("outsider", 404)],
)
def test_only_a_coordinator_in_scope_reopens(world, client, persona, status):
    earlier = closed(world)
    client.force_login(getattr(world, persona))

    response = client.post(
        reverse("exits:reopen", args=[earlier.pk]), {"supporter": world.supporter.pk}
    )

    assert response.status_code == status
    assert not Referral.objects.exists()


def test_the_referral_page_shows_a_returning_participant_with_links(world, client):
    earlier = closed(world)
    referral = _new_referral(world, world.participant)
    client.force_login(world.coordinator)

    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()

    assert "Returning participant." in page
    assert reverse("engagements:detail", args=[earlier.pk]) in page
    assert "Goals met" in page


def test_the_referral_page_of_a_new_participant_says_nothing_of_returns(world, client):
    referral = _new_referral(world, world.other_participant)
    client.force_login(world.coordinator)

    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()

    assert "Returning participant." not in page


def test_reopening_obeys_the_matching_rules_a_declared_conflict_refuses(world):
    from alongside.matching.services import conflict_declare

    earlier = closed(world)
    conflict_declare(
        profile=world.other_profile, participant=world.participant, actor=world.coordinator
    )

    with pytest.raises(RuleViolation, match="cannot take this referral"):
        support_reopen(
            engagement=earlier, supporter=world.other_supporter, actor=world.coordinator
        )

    assert not Referral.objects.exists()
    assert Engagement.objects.filter(participant=world.participant).count() == 1


def test_the_closed_engagement_lists_later_support_only_to_those_who_may_see_it(world, client):
    earlier = closed(world)
    again = support_reopen(
        engagement=earlier, supporter=world.other_supporter, actor=world.coordinator
    )
    page = reverse("engagements:detail", args=[earlier.pk])
    later = reverse("engagements:detail", args=[again.pk])

    client.force_login(world.coordinator)
    assert later in client.get(page).content.decode()
    # Sunny supported Pat before; the new engagement is Omar's, so she is not told of it.
    client.force_login(world.supporter)
    response = client.get(page)
    assert response.status_code == 200
    assert later not in response.content.decode()
