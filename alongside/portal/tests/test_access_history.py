"""The participant's access history: who opened their record and when, found by index."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.audit.models import AccessLog, AccessLogParticipant
from alongside.audit.services import access_log_write
from alongside.portal.selectors import access_history

URL = reverse("portal:access_history")


def _opened(world, actor, participant=None, reason: str = "") -> AccessLog:
    return access_log_write(
        organization=world.org,
        actor=actor,
        method="GET",
        path="/engagements/1/",
        what="engagement",
        participant_ids=[(participant or world.participant).pk],
        reason=reason,
    )


def test_a_staff_read_through_the_site_is_indexed_for_the_participant(client, world):
    client.force_login(world.supporter)
    assert client.get(reverse("engagements:detail", args=[world.engagement.pk])).status_code == 200

    row = AccessLogParticipant.objects.get(participant_id=world.participant.pk)
    assert row.actor_id == world.supporter.pk
    assert AccessLog.objects.get(pk=row.log_id).participant_ids == [world.participant.pk]


def test_one_log_row_naming_several_people_is_indexed_once_for_each(world):
    log = access_log_write(
        organization=world.org,
        actor=world.coordinator,
        method="GET",
        path="/dashboard/",
        what="dashboard",
        participant_ids=[world.other_participant.pk, world.participant.pk, world.participant.pk],
    )

    assert log.participant_ids == sorted([world.participant.pk, world.other_participant.pk])
    assert sorted(
        AccessLogParticipant.objects.filter(log=log).values_list("participant_id", flat=True)
    ) == sorted([world.participant.pk, world.other_participant.pk])


def test_the_index_is_append_only_like_the_log(world):
    _opened(world, world.supporter)
    from alongside.audit.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        AccessLogParticipant.objects.all().delete()


def test_the_participant_sees_the_role_and_when_but_no_name_by_default(client, world):
    _opened(world, world.supporter)
    _opened(world, world.coordinator)
    client.force_login(world.participant_user)

    page = client.get(URL).content.decode()

    assert "Peer supporter" in page and "Coordinator" in page
    assert "Sunny" not in page and "Cora" not in page
    assert world.org.access_history_shows_names is False


def test_the_organization_may_show_names(client, world):
    world.org.access_history_shows_names = True
    world.org.save()
    _opened(world, world.supporter)
    client.force_login(world.participant_user)

    page = client.get(URL).content.decode()

    assert "Sunny Demo (Peer supporter)" in page


def test_the_participants_own_reads_are_left_out(client, world):
    client.force_login(world.participant_user)
    client.get(reverse("portal:home"))
    client.get(reverse("plans:portal_goals"))
    assert AccessLogParticipant.objects.filter(participant_id=world.participant.pk).exists()

    assert list(access_history(world.participant)) == []
    assert (
        "No one at the organization has opened your record yet."
        in client.get(URL).content.decode()
    )


def test_an_emergency_access_shows_its_reason_once(client, world):
    # As breakglass writes it: its prefix, once per grant read through.
    _opened(world, world.coordinator, reason="Emergency access: Called by the hospital at night")
    _opened(world, world.coordinator, reason="Emergency access: A; Emergency access: B")
    client.force_login(world.participant_user)

    page = client.get(URL).content.decode()

    assert "Emergency access:</strong> Called by the hospital at night" in page
    assert "Emergency access:</strong> A; B" in page
    assert page.count("Emergency access:") == 2


def test_openings_of_someone_else_are_not_shown(client, world):
    _opened(world, world.other_supporter, participant=world.other_participant)
    client.force_login(world.participant_user)

    assert list(access_history(world.participant)) == []
    assert "Peer supporter" not in client.get(URL).content.decode().split("<h1>")[1]


def test_someone_who_left_the_organization_shows_as_such(client, world):
    world.other_supporter.memberships.all().delete()
    _opened(world, world.other_supporter)
    client.force_login(world.participant_user)

    assert "Someone no longer with the organization" in client.get(URL).content.decode()


def test_the_page_asks_the_same_number_of_questions_whatever_the_history(client, world):
    client.force_login(world.participant_user)
    for _ in range(3):
        _opened(world, world.supporter)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for _ in range(60):
        _opened(world, world.coordinator)
        _opened(world, world.supervisor)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL + "?page=2")
    assert response.status_code == 200
    assert len(large) <= len(small) <= 20


def test_a_bad_page_number_shows_the_nearest_page(client, world):
    _opened(world, world.supporter)
    client.force_login(world.participant_user)

    assert client.get(URL + "?page=abc").status_code == 200
    assert client.get(URL + "?page=999").status_code == 200


def test_rows_written_before_the_index_existed_are_indexed_by_the_migration(world):
    # A row written without the index (as before this migration), then the backfill.
    AccessLog.objects.create(
        organization=world.org,
        actor=world.supporter,
        method="GET",
        path="/old/",
        what="old read",
        participant_ids=[world.participant.pk, world.other_participant.pk],
    )
    migration = importlib.import_module("alongside.audit.migrations.0003_access_log_participant")

    migration.index_existing_rows(apps, None)

    assert [row.actor_id for row in access_history(world.participant)] == [world.supporter.pk]
    assert AccessLogParticipant.objects.filter(participant_id=world.other_participant.pk).exists()


def test_the_disclosures_page_links_to_the_access_history(client, world):
    client.force_login(world.participant_user)

    assert URL in client.get(reverse("consents:portal_disclosures")).content.decode()


def test_the_organization_admin_turns_names_on_where_other_settings_are(client, world):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    url = reverse("admin:organizations_organization_change", args=[world.org.pk])

    page = client.get(url).content.decode()
    assert 'name="access_history_shows_names"' in page
    response = client.post(
        url,
        {
            "name": world.org.name,
            "slug": world.org.slug,
            "phone": "",
            "email": "",
            "address": "",
            "access_history_shows_names": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    world.org.refresh_from_db()
    assert world.org.access_history_shows_names is True


def test_a_real_emergency_access_reaches_the_participants_history(client, world):
    """Through breakglass itself: the grant, the coordinator's reads, then Rae's page."""
    import datetime

    from alongside.accounts.models import Role
    from alongside.organizations.models import Program
    from alongside.participants.models import Participant
    from conftest import grant, make_user, open_engagement

    crisis = Program.objects.create(organization=world.org, name="Crisis Stabilization")
    rae_user = make_user("rae", "Rae", "Quill")
    grant(rae_user, world.org, Role.PARTICIPANT)
    rae = Participant.objects.create(
        organization=world.org,
        user=rae_user,
        first_name="Rae",
        last_name="Quill",
        date_of_birth=datetime.date(1990, 4, 2),
    )
    engagement = open_engagement(rae, crisis, world.other_supporter)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("breakglass:request"),
        {
            "record_number": rae.pk,
            "reason": "Rae's sister called: Rae is in the emergency room tonight",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("engagements:detail", args=[engagement.pk])).status_code == 200
    client.logout()

    client.force_login(rae_user)
    page = client.get(URL).content.decode()

    assert "Coordinator" in page
    assert "Emergency access:</strong> Rae&#x27;s sister called: Rae is in the emergency" in page
    assert page.count("Emergency access:") == 1
