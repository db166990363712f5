"""The bundle: every resource kind, valid FHIR, references that resolve, mapped statuses."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle

from alongside.audit.models import AuditEvent
from alongside.core.permissions import engagements_visible_to
from alongside.fhir import codes
from alongside.fhir.services import fhir_export
from alongside.fhir.testing import NOTE_SECRET, full_record, meetings_add
from conftest import open_engagement

KINDS = {
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "EpisodeOfCare",
    "Encounter",
    "ServiceRequest",
    "Goal",
    "CarePlan",
    "Consent",
    "Questionnaire",
    "QuestionnaireResponse",
}


def export(world, user=None, **kwargs):
    user = user or world.supporter
    return fhir_export(
        actor=user,
        participant=world.participant,
        engagements=engagements_visible_to(user, world.org),
        **kwargs,
    )


def resources(data: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def references(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found += references(value)
    elif isinstance(node, list):
        for value in node:
            found += references(value)
    return found


@pytest.fixture
def record(world):
    return full_record(world)


def test_every_resource_kind_appears_and_the_bundle_validates(world, record):
    result = export(world)
    data = json.loads(result.json)

    assert data["resourceType"] == "Bundle"
    assert data["type"] == "collection"
    assert {e["resource"]["resourceType"] for e in data["entry"]} == KINDS
    # The library reads it back: every resource is valid.
    assert Bundle.model_validate_json(result.json).entry
    assert result.counts["Encounter"] == 5
    assert AuditEvent.objects.filter(action="fhir.exported").count() == 1


def test_every_reference_resolves_inside_the_bundle(world, record):
    data = json.loads(export(world).json)
    full_urls = {e["fullUrl"] for e in data["entry"]}

    refs = references(data["entry"])
    assert refs
    assert set(refs) <= full_urls
    assert all(url.startswith("urn:uuid:") for url in full_urls)
    assert len(full_urls) == len(data["entry"])
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    # Questionnaire responses point at a Questionnaire of the bundle by canonical.
    canonicals = {f"{q['url']}|{q['version']}" for q in resources(data, "Questionnaire")}
    assert {r["questionnaire"] for r in resources(data, "QuestionnaireResponse")} <= canonicals


def test_ids_are_stable_between_exports(world, record):
    first = json.loads(export(world).json)
    second = json.loads(export(world).json)

    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert first["identifier"] != second["identifier"]


def test_patient_holds_what_is_recorded_only(world, record):
    world.participant.preferred_name = "Patty"
    world.participant.phone = "555-0100"
    world.participant.preferred_language = "asl"
    world.participant.save()
    (patient,) = resources(json.loads(export(world).json), "Patient")

    assert patient["name"][0] == {
        "use": "official",
        "family": "Rivera",
        "given": ["Pat"],
        "text": "Pat Rivera",
    }
    assert patient["name"][1]["use"] == "usual"
    assert patient["name"][1]["given"] == ["Patty"]
    assert patient["telecom"] == [{"system": "phone", "value": "555-0100"}]
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "ase"
    assert "birthDate" not in patient


def test_meeting_statuses_and_classes_map(world, record):
    data = json.loads(export(world).json)
    by_id = {e["identifier"][0]["value"]: e for e in resources(data, "Encounter")}
    got = [
        (m.status, by_id[str(m.pk)]["status"], by_id[str(m.pk)]["class"]["code"])
        for m in record["meetings"]
    ]

    assert got == [
        ("held", "finished", "HH"),  # in person, at home
        ("held", "finished", "VR"),
        ("missed", "cancelled", "AMB"),
        ("cancelled", "cancelled", "VR"),
        ("planned", "planned", "VR"),
    ]
    home = by_id[str(record["meetings"][0].pk)]
    assert home["length"]["value"] == 50
    assert home["period"]["end"] > home["period"]["start"]
    missed = by_id[str(record["meetings"][2].pk)]
    assert missed["extension"][0]["valueCoding"]["code"] == "missed"
    episode = resources(data, "EpisodeOfCare")[0]
    assert home["episodeOfCare"][0]["reference"] == f"urn:uuid:{episode['id']}"
    assert home["participant"][0]["individual"]["display"] == "Sunny Demo"


def test_notes_never_leave_in_the_bundle(world, record):
    text = export(world).json

    assert NOTE_SECRET not in text
    assert "We met." not in text


def test_episode_referral_goals_plans_consents_and_surveys_map(world, record):
    data = json.loads(export(world).json)

    (episode,) = resources(data, "EpisodeOfCare")
    assert episode["status"] == "active"
    assert [h["status"] for h in episode["statusHistory"]] == ["planned", "active"]
    assert episode["careManager"]["display"] == "Sunny Demo"
    (request,) = resources(data, "ServiceRequest")
    assert (request["status"], request["priority"], request["intent"]) == (
        "completed",
        "urgent",
        "order",
    )
    assert request["category"][0]["coding"][0]["code"] == "hospital"
    assert request["requester"] == {"display": "Dr. Ray, County Hospital"}
    assert episode["referralRequest"][0]["reference"] == f"urn:uuid:{request['id']}"

    goals = {g["description"]["text"]: g for g in resources(data, "Goal")}
    walk = goals["Walk to the park twice a week"]
    assert walk["lifecycleStatus"] == "active"
    assert walk["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert walk["extension"][0]["url"] == codes.EXTENSION["stage-of-change"]
    assert walk["extension"][0]["valueCoding"]["code"] == "contemplation"
    assert walk["target"][0]["dueDate"]
    assert walk["expressedBy"]["reference"].startswith("urn:uuid:")

    plans = sorted(resources(data, "CarePlan"), key=lambda p: p["title"])
    statuses = {p["category"][0]["coding"][0]["code"]: p["status"] for p in plans}
    assert statuses == {"ongoing": "revoked", "informal_once": "active"}
    current = next(p for p in plans if p["status"] == "active")
    assert len(current["goal"]) == 2
    assert current["replaces"]
    (activity,) = current["activity"]
    assert activity["detail"]["goal"][0]["reference"] == f"urn:uuid:{walk['id']}"
    assert activity["detail"]["status"] == "not-started"
    assert len(activity["detail"]["performer"]) == 2  # both of us

    consents = {
        c["provision"]["actor"][0]["reference"]["display"]: c for c in resources(data, "Consent")
    }
    assert consents["Eastside Clinic"]["status"] == "active"
    assert consents["Housing Office"]["status"] == "inactive"
    clinic = consents["Eastside Clinic"]["provision"]
    assert clinic["purpose"][0]["code"] == "TREAT"
    assert {c["code"] for c in clinic["class"]} >= {"Encounter", "Goal"}

    (response,) = resources(data, "QuestionnaireResponse")
    assert response["status"] == "completed"
    assert len(response["item"]) == 5
    assert response["item"][0]["answer"][0]["valueCoding"]["code"] == "3"
    (questionnaire,) = resources(data, "Questionnaire")
    assert len(questionnaire["item"]) == 5
    assert questionnaire["item"][0]["answerOption"]


def test_closed_engagement_finishes_the_episode_and_plan(world, record):
    engagement = world.engagement
    engagement.state = "closed"
    engagement.closed_on = engagement.started_on
    engagement.save()
    data = json.loads(export(world).json)

    assert resources(data, "EpisodeOfCare")[0]["status"] == "finished"
    assert resources(data, "EpisodeOfCare")[0]["period"]["end"]
    assert {p["status"] for p in resources(data, "CarePlan")} == {"revoked", "completed"}


def test_a_supporter_exports_only_what_she_sees(world, record):
    data = json.loads(export(world, user=world.other_supporter).json)

    assert not resources(data, "EpisodeOfCare")
    assert not resources(data, "Encounter")


def test_queries_do_not_grow_with_meetings(world, record, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        export(world)
    meetings_add(world.engagement, world.supporter, 500)

    with django_assert_max_num_queries(len(few.captured_queries)):
        result = export(world)
    assert result.counts["Encounter"] == 505
    assert len(few.captured_queries) <= 20


def test_queries_do_not_grow_with_engagements(world, record):
    export(world, user=world.coordinator)  # reads the coordinator's roles once
    with CaptureQueriesContext(connection) as one:
        export(world, user=world.coordinator)
    world.engagement.state = "closed"
    world.engagement.closed_on = world.engagement.started_on
    world.engagement.save()
    second = open_engagement(world.participant, world.program, world.supporter)
    meetings_add(second, world.supporter, 3)

    with CaptureQueriesContext(connection) as two:
        result = export(world, user=world.coordinator)
    assert result.counts["EpisodeOfCare"] == 2
    assert len(two.captured_queries) == len(one.captured_queries)


def test_coordinators_also_export_open_referrals(world, record):
    from alongside.core.permissions import referrals_visible_to
    from alongside.referrals.models import Referral

    Referral.objects.create(
        organization=world.org,
        program=world.respite,
        participant=world.participant,
        source="self",
        needs="A few nights of respite",
        urgency="urgent",
        received_by=world.coordinator,
    )
    coordinator = export(
        world,
        user=world.coordinator,
        open_referrals=referrals_visible_to(world.coordinator, world.org),
    )
    supporter = export(world, open_referrals=referrals_visible_to(world.supporter, world.org))

    requests = resources(json.loads(coordinator.json), "ServiceRequest")
    assert sorted((r["status"], r["priority"]) for r in requests) == [
        ("active", "asap"),
        ("completed", "urgent"),
    ]
    self_referral = next(r for r in requests if r["status"] == "active")
    assert self_referral["requester"]["reference"].startswith("urn:uuid:")  # the Patient
    assert supporter.counts["ServiceRequest"] == 1
