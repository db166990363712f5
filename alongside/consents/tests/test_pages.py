"""The team's consent and disclosure pages, and the participant's portal pages."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AccessLog
from alongside.consents import statements
from alongside.consents.models import Consent, Disclosure
from alongside.consents.selectors import engagement_section
from alongside.consents.services import disclosure_make
from alongside.consents.tests.factories import elements, make_consent


def paper_form(**changes) -> dict:
    data = {
        key: value
        for key, value in elements(**changes).items()
        if key != "signature_method" and value is not None
    }
    for key in ("signed_on", "expires_on"):
        if key in data:
            data[key] = data[key].isoformat()
    data["discloser"] = "Riverbend Peer Network"
    return data


def released(world, consent=None, when=None):
    disclosure = disclosure_make(
        participant=world.participant,
        recipient="Eastside Clinic",
        purpose="treatment",
        categories=["attendance"],
        actor=world.supporter,
        content="Met weekly.",
    )
    if when:
        Disclosure.objects.filter(pk=disclosure.pk).update(disclosed_at=when)
    return disclosure


def test_the_supporter_records_a_signed_paper_consent(client, world):
    client.force_login(world.supporter)
    url = reverse("consents:create", args=[world.engagement.pk])

    response = client.post(url, paper_form())

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.signature_method == "paper"
    assert consent.recorded_by == world.supporter
    assert consent.engagement == world.engagement


def test_the_form_names_each_missing_element_and_saves_nothing(client, world):
    client.force_login(world.supporter)
    url = reverse("consents:create", args=[world.engagement.pk])

    response = client.post(url, paper_form(amount="", recipient_name="", purposes=[]))

    assert response.status_code == 400
    body = response.content.decode()
    assert "how much information may be released" in body
    assert "the recipient&#x27;s name" in body
    assert "the purpose of the release" in body
    assert Consent.objects.count() == 0


def test_the_form_shows_the_statements_that_become_part_of_it(client, world):
    client.force_login(world.coordinator)

    response = client.get(reverse("consents:create", args=[world.engagement.pk]))

    assert "revoke" in response.content.decode()
    assert "legislative proceeding" in response.content.decode()


def test_staff_record_a_written_revocation(client, world):
    consent = make_consent(world)
    client.force_login(world.supporter)

    response = client.post(
        reverse("consents:revoke", args=[consent.pk]),
        {"method": "written", "note": "Letter received"},
    )

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revocation_method == "written"
    assert consent.revoked_by == world.supporter
    assert consent.revocation_note == "Letter received"


def test_another_supporter_cannot_see_the_consent(client, world):
    consent = make_consent(world)
    client.force_login(world.other_supporter)

    assert client.get(reverse("consents:detail", args=[consent.pk])).status_code == 404
    assert client.post(reverse("consents:revoke", args=[consent.pk])).status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_the_admin_is_refused_and_the_outsider_finds_nothing(client, world):
    consent = make_consent(world)
    url = reverse("consents:detail", args=[consent.pk])

    client.force_login(world.admin)
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_a_disclosure_is_released_with_the_notice(client, world):
    make_consent(world)
    client.force_login(world.supporter)

    response = client.post(
        reverse("consents:disclosure_create", args=[world.engagement.pk]),
        {
            "recipient_name": "Eastside Clinic",
            "recipient_relationship": "treating",
            "purpose": "treatment",
            "categories": ["attendance"],
            "content": "Pat attended 4 meetings in March.",
        },
        follow=True,
    )

    disclosure = Disclosure.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "consents:disclosure_detail", args=[disclosure.pk]
    )
    body = response.content.decode()
    assert "Pat attended 4 meetings in March." in body
    assert "45 CFR part 164" in body


def test_a_disclosure_not_covered_is_refused_on_the_page(client, world):
    make_consent(world)
    client.force_login(world.coordinator)
    url = reverse("consents:disclosure_create", args=[world.engagement.pk])

    response = client.post(
        url,
        {
            "recipient_name": "County Court",
            "recipient_relationship": "other",
            "purpose": "legal",
            "categories": ["notes"],
            "content": "Notes.",
        },
    )

    assert response.status_code == 200
    assert "County Court" in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_the_supervisor_may_not_release(client, world):
    client.force_login(world.supervisor)

    url = reverse("consents:disclosure_create", args=[world.engagement.pk])
    assert client.get(url).status_code == 403


def test_the_participant_sees_their_consents_and_revokes_one_after_confirming(client, world):
    consent = make_consent(world)
    client.force_login(world.participant_user)

    listing = client.get(reverse("consents:portal_list"))
    assert "Eastside Clinic" in listing.content.decode()
    url = reverse("consents:portal_revoke", args=[consent.pk])
    confirm = client.get(url)
    assert "Are you sure?" in confirm.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is None

    assert client.post(url).status_code == 302
    consent.refresh_from_db()
    assert consent.revocation_method == "portal"
    assert consent.revoked_by == world.participant_user
    page = client.get(reverse("consents:portal_list")).content.decode()
    assert "Revoked" in page


def test_the_participant_cannot_reach_anothers_consent(client, world):
    from alongside.consents.services import consent_create

    theirs = consent_create(
        participant=world.other_participant, actor=world.other_supporter, **elements()
    )
    client.force_login(world.participant_user)

    assert client.post(reverse("consents:portal_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_participant_signs_a_consent_in_the_portal(client, world):
    client.force_login(world.participant_user)
    data = paper_form(signature_name="Pat Rivera")
    data.pop("signed_on")
    data.pop("discloser")

    response = client.post(reverse("consents:portal_create"), data)

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.signature_method == "portal"
    assert consent.signed_on == timezone.localdate()
    assert consent.recorded_by == world.participant_user
    assert consent.engagement == world.engagement


def test_the_participant_sees_who_received_their_information(client, world):
    make_consent(world)
    released(world)
    client.force_login(world.participant_user)

    body = client.get(reverse("consents:portal_disclosures")).content.decode()

    assert "Eastside Clinic" in body
    assert "Attendance" in body
    assert "Treatment and care coordination" in body
    assert AccessLog.objects.filter(what="portal disclosures").exists()


def test_the_accounting_covers_the_past_three_years(client, world):
    make_consent(world)
    released(world)
    old = released(world, when=timezone.now() - datetime.timedelta(days=3 * 366 + 1))
    client.force_login(world.participant_user)

    response = client.get(reverse("consents:portal_accounting"))

    assert response.status_code == 200
    assert response.context["disclosures"] != []
    assert old not in response.context["disclosures"]
    assert len(response.context["disclosures"]) == 1


def test_staff_cannot_open_the_portal_pages(client, world):
    client.force_login(world.supporter)

    assert client.get(reverse("consents:portal_list")).status_code == 403


def test_the_engagement_section_shows_consents_and_disclosures(world, django_assert_num_queries):
    make_consent(world)
    released(world)

    with django_assert_num_queries(2):
        section = engagement_section(world.engagement)
    html = render_to_string(
        "consents/_engagement_section.html", {"section": section, "can_write": True}
    )

    assert "Eastside Clinic" in html
    assert reverse("consents:disclosure_create", args=[world.engagement.pk]) in html
    assert str(statements.REDISCLOSURE_NOTICE)[:20] not in html
