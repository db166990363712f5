"""Fuzzing: schemathesis sends every operation of the OpenAPI document generated requests
(valid ones and invalid ones) as a signed-in coordinator, and checks every answer: never
a server error, and always what the document promises (a documented status code, its
content type, headers and body schema); invalid input refused with a 4xx, valid input not
refused as invalid.

Bounded and deterministic so it fits CI: ``MAX_EXAMPLES`` examples an operation in the
fuzzing phase (the coverage phase adds its boundary values), derandomized generation and
no example database, so every run sends the same requests. Ids in paths and bodies are
mapped onto the records in the database (by a rule that depends on the generated value
only), so requests reach real records, not only 404s.

Run it alone: ``.venv/bin/pytest -q -n 2 alongside/api/tests/test_fuzz.py`` (docs/api.md,
Fuzzing).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from alongside.agreements.models import DocumentTemplate, SignedDocument
from alongside.api.services import api_token_issue
from alongside.api.urls import api
from alongside.assessments.models import Assessment
from alongside.concerns.models import Concern
from alongside.consents.models import Consent
from alongside.engagements.models import Engagement
from alongside.exits.models import Exit
from alongside.meetings.models import Meeting
from alongside.organizations.models import Program
from alongside.participants.models import Participant
from alongside.plans.models import ActionStep, Goal
from alongside.referrals.models import Referral
from alongside.surveys.models import Response

# Examples an operation in the fuzzing phase, as the coordinator (every operation) and as
# the participant (every read). The whole run stays around a minute with two workers on a
# two-core CI machine.
MAX_EXAMPLES = 15
MAX_EXAMPLES_PARTICIPANT = 5


def _config(max_examples: int) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,  # derandomized: the same requests on every run
                "database": "none",  # nothing remembered between runs, so nothing replayed
            },
            # One request at a time, each checked on its own; no chains of calls.
            "phases": {"stateful": {"enabled": False}},
            # No values mined from the application's source: generation would change with
            # any edit anywhere in the code, not with the document.
            "analysis": {"constants": {"enabled": False}},
        }
    )


class _Django:
    """The WSGI app schemathesis calls: Django's handler of the current test."""

    handler: WSGIHandler | None = None

    def __call__(self, environ, start_response):
        return self.handler(environ, start_response)


APP = _Django()
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=_config(MAX_EXAMPLES))
SCHEMA.app = APP
READS = schemathesis.openapi.from_dict(DOCUMENT, config=_config(MAX_EXAMPLES_PARTICIPANT)).include(
    method="GET"
)
READS.app = APP

# Valid by the document and still refused (422, 412 or 428) by a rule JSON Schema cannot
# state: a rule between fields, a date relative to today, a record's state, or If-Match
# (a well-formed ETag is still stale unless it is the record's current one). For these
# operations only, "schema-valid request rejected" is not checked; every other check is.
ACCEPTANCE_NOT_CHECKED = {
    "POST /api/v1/referrals": "gender_required needs a supporter_gender_preference",
    "POST /api/v1/referrals/{referral_id}/screening": "priority only with waitlist, "
    "reason only with decline",
    "POST /api/v1/engagements/{engagement_id}/transitions": "If-Match must be current",
    "POST /api/v1/engagements/{engagement_id}/extensions": "If-Match must be current",
    "POST /api/v1/consents": "a guardian's fields go together; expiry after signing",
    "POST /api/v1/agreements": "signed_on not in the future",
    "POST /api/v1/meetings": "planned in the future, held or missed in the past",
    "PATCH /api/v1/meetings/{meeting_id}": "If-Match must be current; a move is ahead",
    "POST /api/v1/meetings/{meeting_id}/cancel": "If-Match must be current",
    "POST /api/v1/meetings/{meeting_id}/outcome": "If-Match must be current; held "
    "needs duration_minutes",
    "PATCH /api/v1/goals/{goal_id}": "If-Match must be current; stage_note needs stage",
    "PATCH /api/v1/goals/{goal_id}/steps/{step_id}": "If-Match must be current; an empty change",
    "POST /api/v1/responses": "instrument names one in use (data, not the document)",
    "PATCH /api/v1/responses/{response_id}": "If-Match must be current",
    "PATCH /api/v1/assessments/{assessment_id}": "If-Match must be current; an empty change",
    "POST /api/v1/exits": "the step-down plan's fields go with kind step_down",
    "PATCH /api/v1/participants/{participant_id}": "If-Match must be current",
    "GET /api/v1/participants/{participant_id}/fhir": "a recipient needs a purpose",
    "GET /api/v1/engagements/{engagement_id}/fhir": "a recipient needs a purpose",
}

# Where an id in a path, or in a body's top level, names a record: mapped onto those rows.
PATH_IDS = {
    "participant_id": Participant,
    "referral_id": Referral,
    "engagement_id": Engagement,
    "consent_id": Consent,
    "agreement_id": SignedDocument,
    "meeting_id": Meeting,
    "goal_id": Goal,
    "step_id": ActionStep,
    "response_id": Response,
    "concern_id": Concern,
    "assessment_id": Assessment,
    "exit_id": Exit,
}
BODY_IDS = {
    "engagement": Engagement,
    "participant": Participant,
    "program": Program,
    "template": DocumentTemplate,
}


def _real(value, model):
    """A non-negative integer becomes the id of one of ``model``'s rows, picked by the
    value; anything else (negative, not a number) stays, to probe 404 and 422."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return value
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True)[:20])
    return ids[value % len(ids)] if ids else value


def _aim_at_records(case) -> None:
    for name, model in PATH_IDS.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = _real(case.path_parameters[name], model)
    if isinstance(case.body, dict):
        for name, model in BODY_IDS.items():
            if name in case.body:
                case.body[name] = _real(case.body[name], model)


def map_query(context, query):
    # "until not before since" is a rule between two parameters the document cannot
    # state: keep generated ranges in order, so valid requests stay valid.
    since, until = (query or {}).get("since"), (query or {}).get("until")
    if isinstance(since, str) and isinstance(until, str) and until < since:
        query["since"], query["until"] = until, since
    return query


SCHEMA.hook(map_query)
READS.hook(map_query)


@pytest.fixture
def in_process(settings):
    """Serve requests in this thread on the test's own database connection, as Django's
    test client does (a finished request would otherwise close the connection mid-test)."""
    settings.ALONGSIDE_API_RATE_LIMIT = 0  # hundreds of requests a minute, by design
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Built per test, after the settings fixtures (middleware reads settings when loaded).
    APP.handler = WSGIHandler()
    yield
    APP.handler = None
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _call_and_check(case, token: str) -> None:
    _aim_at_records(case)
    excluded = [positive_data_acceptance] if case.operation.label in ACCEPTANCE_NOT_CHECKED else []
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)


FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def coordinator_token(world) -> str:
    return api_token_issue(user=world.coordinator, scopes=["read", "write", "export"])


@pytest.fixture
def participant_token(world) -> str:
    return api_token_issue(user=world.participant_user, scopes=["read", "export"])


@SCHEMA.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_as_documented(case, coordinator_token, in_process):
    _call_and_check(case, coordinator_token)


@READS.parametrize()
@FUZZ_SETTINGS
def test_every_read_answers_a_participant_as_documented(case, participant_token, in_process):
    """The portal's view: their own records, with what staff keep to themselves null."""
    _call_and_check(case, participant_token)


def test_every_exemption_names_an_operation():
    labels = {result.ok().label for result in SCHEMA.get_all_operations()}
    assert set(ACCEPTANCE_NOT_CHECKED) <= labels
