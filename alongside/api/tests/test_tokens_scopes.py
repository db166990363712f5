"""Token scopes, names and expiry: issued through the service and POST /auth/token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from alongside.accounts.testing import give_app, next_code
from alongside.api.auth import TokenAuth, scope_needed
from alongside.api.models import ApiToken
from alongside.api.services import api_token_issue, api_token_revoke
from alongside.api.tests.conftest import post_json
from alongside.audit.models import AuditEvent
from conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def transition(client: Client, engagement) -> object:
    return post_json(
        client,
        f"/api/v1/engagements/{engagement.pk}/transitions",
        {"to": "exiting", "reason": "Goals met"},
    )


# --- the service ---------------------------------------------------------------------


def test_a_token_reads_and_writes_and_never_expires_by_default(world):
    api_token_issue(user=world.supporter)

    token = ApiToken.objects.get()
    assert token.scopes == ["read", "write"]
    assert token.expires_at is None
    event = AuditEvent.objects.get(action="api_token.issued")
    assert event.data == {"name": "", "scopes": ["read", "write"], "expires_at": None}


def test_scopes_are_kept_in_canonical_order_without_repeats(world):
    api_token_issue(user=world.supporter, name="sync", scopes=["export", "read", "export"])

    assert ApiToken.objects.get().scopes == ["read", "export"]


@pytest.mark.parametrize("scopes", [["read", "admin"], [], "delete"])
def test_unknown_or_missing_scopes_are_refused(world, scopes):
    with pytest.raises(ValidationError) as refused:
        api_token_issue(user=world.supporter, scopes=scopes)

    assert "scopes" in refused.value.message_dict
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="api_token.").exists()


def test_an_expiry_in_the_past_is_refused(world):
    with pytest.raises(ValidationError):
        api_token_issue(user=world.supporter, expires_at=timezone.now() - timedelta(seconds=1))

    assert not ApiToken.objects.exists()


def test_revoking_deletes_the_token_but_the_audit_event_remains(world):
    api_token_issue(user=world.supporter, name="script", scopes=["read"])
    token = ApiToken.objects.get()
    pk = token.pk

    api_token_revoke(token=token, actor=world.supporter)

    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == world.supporter
    assert event.object_id == str(pk)
    assert event.data["name"] == "script"
    assert event.data["scopes"] == ["read"]


# --- which scope a request needs ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("GET", "/api/v1/engagements", "read"),
        ("HEAD", "/api/v1/engagements/3", "read"),
        ("POST", "/api/v1/engagements/3/transitions", "write"),
        ("PATCH", "/api/v1/goals/4", "write"),
        ("PUT", "/api/v1/goals/4", "write"),
        ("DELETE", "/api/v1/meetings/5", "write"),
        ("GET", "/api/v1/participants/7/fhir", "export"),
        ("GET", "/api/v1/participants/7/fhir/", "export"),
        ("GET", "/api/v1/reports/volume", "export"),
        ("POST", "/api/v1/reports/volume/builds", "export"),
        ("GET", "/api/v1/reports", "read"),
        ("GET", "/api/v1/reports/", "read"),
        ("GET", "/api/v1/reportsx", "read"),
        ("DELETE", "/api/v1/auth/token", None),
    ],
)
def test_scope_needed(method, path, needed):
    request = RequestFactory().generic(method, path)

    assert scope_needed(request) == needed


def test_a_token_without_export_is_refused_an_export(world):
    raw = api_token_issue(user=world.supporter)
    request = RequestFactory().get(
        f"/api/v1/participants/{world.participant.pk}/fhir",
        headers={"Authorization": f"Bearer {raw}"},
    )

    with pytest.raises(PermissionDenied) as refused:
        TokenAuth()(request)

    assert str(refused.value) == "This token's scopes (read, write) do not include export."


def test_an_export_token_passes_an_export_but_not_a_read(world):
    raw = api_token_issue(user=world.supporter, scopes=["export"])
    factory = RequestFactory()
    headers = {"Authorization": f"Bearer {raw}"}

    export = factory.get("/api/v1/reports/volume", headers=headers)
    assert TokenAuth()(export) == world.supporter

    with pytest.raises(PermissionDenied):
        TokenAuth()(factory.get("/api/v1/engagements", headers=headers))


# --- over HTTP -----------------------------------------------------------------------


def test_the_token_endpoint_takes_scopes_a_name_and_an_expiry(world):
    give_app(world.supporter)
    response = post_json(
        Client(),
        TOKEN_URL,
        {
            "username": "sunny",
            "password": PASSWORD,
            "otp": next_code(world.supporter),
            "scopes": ["read"],
            "name": " nightly sync ",
            "expires_in_days": 30,
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["scopes"] == ["read"]
    assert body["name"] == "nightly sync"
    token = ApiToken.objects.get()
    assert token.name == "nightly sync"
    assert token.scopes == ["read"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_the_token_endpoint_answers_read_and_write_without_expiry_by_default(world):
    give_app(world.supporter)
    body = {"username": "sunny", "password": PASSWORD, "otp": next_code(world.supporter)}
    response = post_json(Client(), TOKEN_URL, body)

    assert response.status_code == 200
    assert response.json()["scopes"] == ["read", "write"]
    assert response.json()["expires_at"] is None
    assert ApiToken.objects.get().scopes == ["read", "write"]


@pytest.mark.parametrize("scopes", [["read", "admin"], [], "read"])
def test_the_token_endpoint_answers_422_for_unknown_scopes(world, scopes):
    response = post_json(
        Client(), TOKEN_URL, {"username": "sunny", "password": PASSWORD, "scopes": scopes}
    )

    assert response.status_code == 422
    assert "scopes" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_token_endpoint_answers_422_for_a_bad_expiry(world):
    response = post_json(
        Client(), TOKEN_URL, {"username": "sunny", "password": PASSWORD, "expires_in_days": 0}
    )

    assert response.status_code == 422
    assert "expires_in_days" in response.json()["detail"]


def test_a_read_token_reads_but_may_not_write(world):
    client = bearer(api_token_issue(user=world.supporter, scopes=["read"]))

    assert client.get("/api/v1/engagements").status_code == 200
    response = transition(client, world.engagement)

    assert response.status_code == 403
    assert response.json() == {"detail": "This token's scopes (read) do not include write."}
    world.engagement.refresh_from_db()
    assert world.engagement.state == "active"


def test_a_write_token_writes_but_may_not_read(world):
    client = bearer(api_token_issue(user=world.supporter, scopes=["write"]))

    assert transition(client, world.engagement).status_code == 200
    response = client.get("/api/v1/engagements")

    assert response.status_code == 403
    assert response.json() == {"detail": "This token's scopes (write) do not include read."}


def test_scopes_never_widen_the_role(world):
    client = bearer(api_token_issue(user=world.participant_user, scopes=["read", "write"]))

    assert transition(client, world.engagement).status_code in (403, 404)


def test_a_read_only_token_may_still_revoke_itself(world):
    client = bearer(api_token_issue(user=world.supporter, scopes=["read"]))

    assert client.delete(TOKEN_URL).status_code == 204
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401_saying_so(world):
    raw = api_token_issue(user=world.supporter, expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = bearer(raw).get("/api/v1/engagements")

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token expired on ")
    assert "Create a new one." in response.json()["detail"]
    assert ApiToken.objects.get().last_used_at is None


def test_the_openapi_document_describes_token_scopes(world):
    document = Client().get("/api/v1/openapi.json").json()

    credentials = document["components"]["schemas"]["Credentials"]["properties"]
    assert credentials["scopes"]["items"]["enum"] == ["read", "write", "export"]
    assert "expires_in_days" in credentials
    assert "scopes" in document["components"]["schemas"]["Token"]["properties"]
