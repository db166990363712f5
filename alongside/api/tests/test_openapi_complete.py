"""The OpenAPI document describes every operation (issue 7): a summary, the answer of
each status, and If-Match where a change needs it."""

from __future__ import annotations

import json

import pytest

# Changes of a versioned record: If-Match is required (428 without, 412 when stale).
CONDITIONAL = {
    ("patch", "/api/v1/meetings/{meeting_id}"),
    ("post", "/api/v1/meetings/{meeting_id}/cancel"),
    ("post", "/api/v1/meetings/{meeting_id}/outcome"),
    ("patch", "/api/v1/goals/{goal_id}"),
    ("patch", "/api/v1/goals/{goal_id}/steps/{step_id}"),
    ("patch", "/api/v1/responses/{response_id}"),
    ("patch", "/api/v1/assessments/{assessment_id}"),
    ("post", "/api/v1/engagements/{engagement_id}/extensions"),
    ("patch", "/api/v1/participants/{participant_id}"),
}
# Reads of a versioned record answer its ETag.
ETAG_READS = {
    "/api/v1/engagements/{engagement_id}",
    "/api/v1/meetings/{meeting_id}",
    "/api/v1/goals/{goal_id}",
    "/api/v1/responses/{response_id}",
    "/api/v1/assessments/{assessment_id}",
    "/api/v1/participants/{participant_id}",
}


@pytest.fixture(scope="module")
def document() -> dict:
    from alongside.api.urls import api

    # As served: status codes become strings.
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations(document: dict):
    for path, methods in document["paths"].items():
        if path.startswith("/api/v1/auth"):
            continue  # the sign-in's own section, kept by others
        for method, operation in methods.items():
            yield method, path, operation


def test_every_operation_has_a_summary_and_its_error_answers(document):
    for method, path, operation in operations(document):
        assert operation.get("summary"), (method, path)
        statuses = set(operation["responses"])
        assert {"401", "403", "404", "422"} <= statuses, (method, path)
        if method in ("post", "patch") and not path.endswith(("/acknowledge", "/revoke")):
            assert "409" in statuses or path.endswith("/transitions"), (method, path)


def test_every_write_takes_a_body_that_refuses_unknown_fields(document):
    schemas = document["components"]["schemas"]
    for method, path, operation in operations(document):
        body = operation.get("requestBody")
        if method not in ("post", "patch") or body is None:
            continue
        ref = body["content"]["application/json"]["schema"].get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if name in schemas:
            assert schemas[name].get("additionalProperties") is False, (method, path, name)


def test_conditional_changes_need_if_match(document):
    for method, path, operation in operations(document):
        names = {p["name"]: p for p in operation.get("parameters", [])}
        if (method, path) in CONDITIONAL:
            assert names["If-Match"]["required"] is True, (method, path)
            assert {"412", "428"} <= set(operation["responses"]), (method, path)
        if method == "patch":
            assert (method, path) in CONDITIONAL, f"PATCH {path} without If-Match"


def test_reads_of_versioned_records_answer_the_etag(document):
    for path in ETAG_READS:
        answer = document["paths"][path]["get"]["responses"]["200"]
        assert "ETag" in answer.get("headers", {}), path


def test_a_transition_may_send_if_match(document):
    operation = document["paths"]["/api/v1/engagements/{engagement_id}/transitions"]["post"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["If-Match"]["required"] is False
    assert "412" in operation["responses"]
