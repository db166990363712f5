"""The public referral page: no sign-in, abuse-resistant, stores only the referral."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import ExperienceArea, TimeOfWeek
from alongside.audit.models import AuditEvent
from alongside.participants.models import Participant
from alongside.referrals import views
from alongside.referrals.models import Channel, Referral, Source, Status


def url(world) -> str:
    return reverse("referrals:public", kwargs={"slug": world.org.slug})


def valid(world, **changes) -> dict:
    data = {
        "kind": "self",
        "first_name": "Robin",
        "last_name": "Díaz",
        "preferred_name": "Rob",
        "pronouns": "they/them",
        "date_of_birth": "1991-02-03",
        "preferred_language": "es",
        "language_required": "on",
        "phone": "(555) 010-2233",
        "email": "robin@example.org",
        "contact_channel": "text",
        "contact_notes": "Weekdays after 3 pm",
        "program": world.program.pk,
        "needs": "Someone who has been through early recovery.",
        "lived_experience_wanted": ["substance_use", "parenting"],
        "supporter_gender_preference": "woman",
        "gender_required": "on",
        "meeting_place": "Eastside",
        "remote_ok": "on",
        "urgency": "soon",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def partner(world, **changes) -> dict:
    data = valid(
        world,
        kind="partner",
        referrer_name="Dana Case",
        referrer_organization="Eastside Clinic",
        relationship="clinic",
        referrer_email="dana@clinic.example",
        referrer_phone="555-010-9999",
        agreed="on",
    )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def changed(before: dict[str, int]) -> dict[str, int]:
    after = row_counts()
    return {label: after[label] - n for label, n in before.items() if after[label] != n}


def test_anyone_can_open_the_page_without_signing_in(client, world):
    response = client.get(url(world))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Riverbend Peer Network" in page
    assert "This is not a crisis service" in page
    assert 'href="tel:988"' in page and 'href="tel:911"' in page
    # The crisis notice comes before the form.
    assert page.index("not a crisis service") < page.index("<form")
    assert "Community Peer Support" in page and "Peer Respite" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_honeypot_is_labelled_for_screen_readers_and_hidden_by_css(client, world):
    page = client.get(url(world)).content.decode()

    assert '<div class="hp"><label for="id_website">Leave this field empty' in page
    assert 'tabindex="-1"' in page
    assert "referrals/referrals.css" in page


def test_an_unknown_organization_is_not_found(client, world):
    assert client.get(reverse("referrals:public", kwargs={"slug": "nowhere"})).status_code == 404
    before = row_counts()
    response = client.post(reverse("referrals:public", kwargs={"slug": "nowhere"}), valid(world))
    assert response.status_code == 404
    assert changed(before) == {}


def test_a_self_referral_is_stored_with_its_participant_and_nothing_else(client, world):
    before = row_counts()

    response = client.post(url(world), valid(world))

    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("referrals:public_done", kwargs={"slug": "riverbend"})
    )
    referral = Referral.objects.get(channel=Channel.PUBLIC)
    assert referral.organization == world.org
    assert referral.program == world.program
    assert referral.status == Status.NEW
    assert referral.source == Source.SELF
    assert referral.received_by is None
    assert referral.preferred_language == "es" and referral.language_required
    assert referral.supporter_gender_preference == "woman" and referral.gender_required
    assert referral.lived_experience_wanted == ["substance_use", "parenting"]
    assert referral.meeting_place == "Eastside" and referral.remote_ok
    assert referral.urgency == "soon"
    assert referral.contact_channel == "text"
    assert referral.contact_notes == "Weekdays after 3 pm"
    assert referral.referrer_name == referral.referrer_email == ""
    person = referral.participant
    assert (person.first_name, person.last_name, person.preferred_name) == ("Robin", "Díaz", "Rob")
    assert person.date_of_birth == datetime.date(1991, 2, 3)
    assert person.phone == "(555) 010-2233" and person.email == "robin@example.org"
    assert person.organization == world.org and person.user is None
    # The referral, its participant, their history rows and one audit event: nothing else
    # (no session, no access log, no address or browser anywhere).
    assert changed(before) == {
        "participants.Participant": 1,
        "participants.HistoricalParticipant": 1,
        "referrals.Referral": 1,
        "referrals.HistoricalReferral": 1,
        "audit.AuditEvent": 1,
    }
    event = AuditEvent.objects.get(action="referral.received")
    assert event.actor is None
    assert event.data == {"channel": "public"}


def test_good_times_to_meet_can_be_ticked_and_are_stored(client, world):
    page = client.get(url(world)).content.decode()
    assert "When are good times to meet? (tick any)" in page
    assert "Weekday evenings (after 5 pm)" in page and 'value="weekend"' in page

    client.post(url(world), valid(world, preferred_times=["weekday_evening", "weekend"]))

    assert Referral.objects.get().preferred_times == ["weekday_evening", "weekend"]


def test_no_times_ticked_means_any_time(client, world):
    client.post(url(world), valid(world))

    assert Referral.objects.get().preferred_times == []


def test_the_cache_never_holds_the_client_address(client, world):
    client.post(url(world), valid(world), REMOTE_ADDR="203.0.113.77")

    stored = repr(list(cache._cache.items()))
    assert "203.0.113.77" not in stored
    assert "ratelimit:" in stored


def test_the_thank_you_page_says_what_happens_next(client, world):
    response = client.post(url(world), valid(world), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Thank you" in page
    assert "within 2 business days" in page
    assert "by text message" in page
    assert 'href="tel:988"' in page
    assert "Robin" not in page  # nothing of the person is echoed back


def test_a_partner_referral_records_the_referrer(client, world):
    response = client.post(url(world), partner(world, phone="", email=""))

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.source == Source.CLINIC
    assert referral.source_detail == "Eastside Clinic"
    assert referral.referrer_name == "Dana Case"
    assert referral.referrer_email == "dana@clinic.example"
    assert referral.referrer_phone == "555-010-9999"
    assert referral.participant.phone == referral.participant.email == ""
    assert "who=partner" in response["Location"]


def test_a_partner_must_say_the_person_agreed(client, world):
    response = client.post(url(world), partner(world, agreed=None))

    assert response.status_code == 200
    assert "only once they have agreed" in response.content.decode()
    assert not Referral.objects.exists()


def test_self_referral_ignores_referrer_fields(client, world):
    client.post(url(world), valid(world, referrer_name="Someone", referrer_email="x@example.org"))

    referral = Referral.objects.get()
    assert referral.referrer_name == referral.referrer_email == ""


def test_the_organizations_own_experience_areas_are_offered(client, world):
    ExperienceArea.objects.create(organization=world.org, code="farming", label="Farm life")
    ExperienceArea.objects.create(organization=world.other_org, code="sailing", label="Sailing")

    page = client.get(url(world)).content.decode()
    assert "Farm life" in page and "Sailing" not in page

    client.post(url(world), valid(world, lived_experience_wanted=["farming"]))
    assert Referral.objects.get().lived_experience_wanted == ["farming"]


def test_a_program_not_taking_referrals_is_not_offered(client, world):
    world.respite.is_active = False
    world.respite.save()

    page = client.get(url(world)).content.decode()
    assert "Peer Respite" not in page

    response = client.post(url(world), valid(world, program=world.respite.pk))
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_an_organization_without_open_programs_says_so(client, world):
    world.org.programs.update(is_active=False)

    page = client.get(url(world)).content.decode()

    assert "not taking requests through this page" in page
    assert "<form method" not in page


# bad input ---------------------------------------------------------------------------


def test_an_empty_form_names_what_is_missing_and_saves_nothing(client, world):
    before = row_counts()

    response = client.post(url(world), {"kind": "self", "website": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in page
    assert "Please check these answers" in page
    assert 'href="#group-first_name"' in page
    assert "First name — Give the person&#x27;s first name, or the name they use." in page
    assert "What support is wanted? — Say in a few words what support is wanted." in page
    assert "First name (required)" in page
    assert "Give a phone number or an email address" in page
    assert changed(before) == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "call me maybe", "email": ""}, "Enter a phone number with its area code"),
        ({"phone": "12", "email": ""}, "Enter a phone number with its area code"),
        ({"email": "not an email"}, "Enter a valid email address"),
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"date_of_birth": "yesterday"}, "Enter a valid date"),
        ({"needs": "x" * 4001}, "at most 4000 characters"),
        ({"first_name": "R" * 101}, "at most 100 characters"),
        ({"contact_notes": "n" * 401}, "at most 400 characters"),
        ({"program": "999999"}, "Select a valid choice"),
        ({"urgency": "yesterday"}, "Select a valid choice"),
        ({"preferred_language": "klingon"}, "Select a valid choice"),
        ({"lived_experience_wanted": ["astrology"]}, "Select a valid choice"),
        ({"preferred_times": ["brunch"]}, "Select a valid choice"),
        ({"kind": "robot"}, "Select a valid choice"),
        ({"needs": "null\x00byte"}, "Null characters are not allowed"),
        ({"supporter_gender_preference": ""}, "Choose the supporter gender that is a must"),
        ({"phone": "", "contact_channel": "phone"}, "Give a phone number, or choose another way"),
        ({"email": "", "contact_channel": "email"}, "Give an email address, or choose another"),
    ],
)
def test_malformed_answers_get_a_clear_message_and_save_nothing(client, world, changes, message):
    before = row_counts()

    response = client.post(url(world), valid(world, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert changed(before) == {}


def test_a_program_of_another_organization_is_refused(client, world):
    response = client.post(url(world), valid(world, program=world.other_program.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_partner_must_give_a_way_to_reach_them(client, world):
    response = client.post(
        url(world),
        partner(world, referrer_email="", referrer_phone="", phone="", email=""),
    )

    page = response.content.decode()
    assert "Give your email or phone so we can reach you" in page
    assert "Give the person&#x27;s phone or email, or your own" in page
    assert not Referral.objects.exists()


# abuse -------------------------------------------------------------------------------


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, world):
    before = row_counts()

    response = client.post(url(world), valid(world, website="http://spam.example"), follow=True)

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert changed(before) == {}


def test_a_filled_honeypot_pretends_success_even_for_garbage(client, world):
    before = row_counts()

    response = client.post(url(world), {"website": "x", "first_name": "x" * 500})

    assert response.status_code == 302
    assert changed(before) == {}


def test_flooding_from_one_address_is_refused_with_429(client, world):
    for n in range(views.REFERRALS_PER_ADDRESS[0]):
        response = client.post(url(world), valid(world, email=f"p{n}@example.org"))
        assert response.status_code == 302, n

    response = client.post(url(world), valid(world, email="one-more@example.org"))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert "Please try again later" in page and 'href="tel:988"' in page
    assert Referral.objects.count() == views.REFERRALS_PER_ADDRESS[0]
    # Another address is not held back.
    other = client.post(url(world), valid(world), REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


def test_honeypot_hits_count_against_the_address(client, world):
    for _ in range(views.REFERRALS_PER_ADDRESS[0]):
        client.post(url(world), valid(world, website="spam"))

    response = client.post(url(world), valid(world))

    assert response.status_code == 429
    assert not Referral.objects.exists()


def test_honeypot_hits_do_not_close_the_page_to_people(client, world, monkeypatch):
    monkeypatch.setattr(views, "REFERRALS_PER_ORGANIZATION", (1, 3600))
    for n in range(3):
        client.post(url(world), valid(world, website="spam"), REMOTE_ADDR=f"198.51.100.{n}")

    response = client.post(url(world), valid(world), REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 302
    assert Referral.objects.count() == 1


def test_a_flood_of_invalid_posts_is_refused_before_reading_them(client, world, monkeypatch):
    monkeypatch.setattr(views, "ATTEMPTS_PER_ADDRESS", (3, 3600))
    for _ in range(3):
        assert client.post(url(world), {"kind": "self"}).status_code == 200

    assert client.post(url(world), {"kind": "self"}).status_code == 429
    assert client.get(url(world)).status_code == 200  # reading the page is never limited


def test_flooding_one_organization_from_many_addresses_is_refused(client, world, monkeypatch):
    monkeypatch.setattr(views, "REFERRALS_PER_ORGANIZATION", (3, 3600))
    for n in range(3):
        response = client.post(url(world), valid(world), REMOTE_ADDR=f"198.51.100.{n}")
        assert response.status_code == 302

    response = client.post(url(world), valid(world), REMOTE_ADDR="198.51.100.200")

    assert response.status_code == 429
    assert Referral.objects.count() == 3


def test_behind_the_proxy_the_last_forwarded_address_counts(client, world, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    limit = views.REFERRALS_PER_ADDRESS[0]
    for n in range(limit):
        # A client forging the first entry does not get a fresh count.
        client.post(url(world), valid(world), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 192.0.2.5")

    refused = client.post(url(world), valid(world), HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.5")
    allowed = client.post(url(world), valid(world), HTTP_X_FORWARDED_FOR="192.0.2.6")

    assert refused.status_code == 429
    assert allowed.status_code == 302


def test_an_oversized_body_is_refused_with_413(client, world):
    before = row_counts()

    response = client.post(url(world), valid(world, needs="x" * (views.BODY_LIMIT_BYTES + 1)))

    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert changed(before) == {}


def test_a_body_beyond_djangos_own_limit_is_refused_before_parsing(client, world):
    # Django would answer 400 while parsing a body this size; 413 shows we never parsed it.
    response = client.post(
        url(world),
        "needs=" + "x" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert not Referral.objects.exists()


def test_the_largest_honest_form_fits(client, world):
    data = valid(world, needs="戒" * 4000, contact_notes="午" * 400, meeting_place="东" * 200)
    data["preferred_times"] = list(TimeOfWeek.values)
    data.update(first_name="明" * 100, last_name="李" * 100, preferred_name="小" * 100)

    response = client.post(url(world), data)

    assert response.status_code == 302
    assert Referral.objects.get().needs == "戒" * 4000


def test_csrf_stays_on(world):
    client = Client(enforce_csrf_checks=True)

    refused = client.post(url(world), valid(world))
    assert refused.status_code == 403
    assert not Referral.objects.exists()

    client.get(url(world))
    token = client.cookies["csrftoken"].value
    accepted = client.post(url(world), {**valid(world), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert Referral.objects.count() == 1


def test_other_methods_are_refused(client, world):
    assert client.put(url(world)).status_code == 405
    assert Participant.objects.filter(first_name="Robin").count() == 0


@pytest.mark.parametrize(
    "persona",
    ["admin", "coordinator", "supervisor", "supporter", "participant_user", "outsider"],
)
def test_signed_in_people_see_the_same_public_page(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(url(world)).status_code == 200
    done = reverse("referrals:public_done", kwargs={"slug": world.org.slug})
    assert client.get(done).status_code == 200


def test_the_public_page_lives_at_a_short_address(world):
    assert url(world) == "/refer/riverbend/"
    assert reverse("referrals:public_done", kwargs={"slug": "riverbend"}) == (
        "/refer/riverbend/thanks/"
    )
