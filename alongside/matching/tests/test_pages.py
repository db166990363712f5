"""The matching pages: decline, conflict, batch review and confirm, change of supporter."""

from __future__ import annotations

from django.urls import reverse

from alongside.engagements.models import Engagement, SupporterAssignment
from alongside.matching.models import DeclinedSupporter, MatchBatch
from alongside.matching.tests.factories import referral as make_referral
from alongside.notifications.models import Notification
from alongside.referrals.models import Status


def test_a_declined_supporter_drops_out_and_the_next_best_is_offered(client, world):
    referral = make_referral(world, preferred_language="es")
    client.force_login(world.coordinator)
    url = reverse("matching:suggest", args=[referral.pk])
    page = client.get(url).content.decode()
    assert page.index("Sunny") < page.index("Omar")
    response = client.post(
        reverse("matching:declined", args=[referral.pk]), {"supporter": world.supporter.pk}
    )
    assert response["Location"] == url
    assert DeclinedSupporter.objects.filter(referral=referral, supporter=world.supporter).exists()
    page = client.get(url).content.decode()
    assert "participant declined this supporter" in page
    assert "Match with Omar" in page and "Match with Sunny" not in page


def test_a_declared_conflict_excludes_the_supporter(client, world):
    referral = make_referral(world)
    client.force_login(world.coordinator)
    client.post(
        reverse("matching:conflict", args=[referral.pk]),
        {"supporter": world.supporter.pk, "reason": "Neighbours"},
    )
    page = client.get(reverse("matching:suggest", args=[referral.pk])).content.decode()
    assert "declared conflict" in page
    assert "Match with Sunny" not in page


def test_naming_a_supporter_of_another_organization_changes_nothing(client, world):
    referral = make_referral(world)
    client.force_login(world.coordinator)
    client.post(reverse("matching:declined", args=[referral.pk]), {"supporter": world.outsider.pk})
    assert not DeclinedSupporter.objects.exists()


def test_batch_matching_from_the_waitlist_to_confirmed_engagements(client, world):
    first = make_referral(world, first_name="Robin", preferred_language="es")
    second = make_referral(world, first_name="Alex", status=Status.WAITLISTED)
    client.force_login(world.coordinator)
    response = client.post(reverse("matching:batch_propose"), {"referral": [first.pk, second.pk]})
    batch = MatchBatch.objects.get()
    assert response["Location"] == reverse("matching:batch_detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Robin Vale" in page and "Alex Vale" in page

    pairs = {f"referral-{row['referral']}": row["supporter"] or "" for row in batch.proposal}
    pairs[f"referral-{second.pk}"] = world.other_supporter.pk  # the coordinator adjusts one
    response = client.post(reverse("matching:batch_detail", args=[batch.pk]), pairs)
    assert response.status_code == 302
    assert Engagement.objects.get(referral=second).supporter == world.other_supporter
    assert Engagement.objects.filter(referral=first).exists()
    batch.refresh_from_db()
    assert batch.status == MatchBatch.Status.CONFIRMED
    assert Notification.objects.filter(user=world.other_supporter).exists()


def test_a_batch_that_changed_meanwhile_is_refused_whole(client, world):
    from alongside.matching.services import match_confirm

    first = make_referral(world, first_name="Robin")
    second = make_referral(world, first_name="Alex")
    client.force_login(world.coordinator)
    client.post(reverse("matching:batch_propose"), {"referral": [first.pk, second.pk]})
    batch = MatchBatch.objects.get()
    match_confirm(referral=first, supporter=world.supporter, actor=world.coordinator)
    pairs = {f"referral-{first.pk}": world.other_supporter.pk}
    pairs[f"referral-{second.pk}"] = world.other_supporter.pk
    response = client.post(reverse("matching:batch_detail", args=[batch.pk]), pairs)
    assert response.status_code == 409
    assert "Nothing was confirmed" in response.content.decode()
    assert not Engagement.objects.filter(referral=second).exists()


def test_selecting_nothing_for_a_batch_says_so(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("matching:batch_propose"), {"referral": ["999999"]})
    assert response["Location"] == reverse("referrals:waitlist")
    assert not MatchBatch.objects.exists()


def test_another_coordinators_batch_is_not_found(client, world):
    batch = MatchBatch.objects.create(
        organization=world.org, created_by=world.coordinator, proposal=[]
    )
    client.force_login(world.outsider)
    assert client.get(reverse("matching:batch_detail", args=[batch.pk])).status_code == 404


def test_changing_the_supporter_keeps_who_supported_when(client, world):
    from alongside.engagements.services import assignment_start

    assignment_start(
        engagement=world.engagement, supporter=world.supporter, actor=None, reason="Matched"
    )
    client.force_login(world.coordinator)
    url = reverse("matching:change_supporter", args=[world.engagement.pk])
    response = client.post(url, {"supporter": world.other_supporter.pk, "reason": ""})
    assert response.status_code == 400  # a reason is required
    response = client.post(
        url, {"supporter": world.other_supporter.pk, "reason": "Pat asked for a change"}
    )
    assert response.status_code == 302
    world.engagement.refresh_from_db()
    assert world.engagement.supporter == world.other_supporter
    history = list(
        SupporterAssignment.objects.filter(engagement=world.engagement).values_list(
            "supporter__username", "reason"
        )
    )
    assert history == [("sunny", "Matched"), ("omar", "Pat asked for a change")]
    page = client.get(reverse("engagements:detail", args=[world.engagement.pk])).content.decode()
    assert "Pat asked for a change" in page
