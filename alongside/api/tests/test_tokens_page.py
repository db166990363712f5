"""The page where a signed-in person creates, lists and revokes their own API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.api.models import ApiToken
from alongside.api.services import api_token_issue
from alongside.audit.models import AuditEvent

PERSONAS = [
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create(client: Client, **fields) -> object:
    data = {"name": "report script", "scopes": ["read"], "expiry": "90"} | fields
    return client.post(reverse("api_tokens:create"), data)


@pytest.mark.parametrize("url_name", ["api_tokens:list", "api_tokens:create"])
def test_anonymous_people_are_sent_to_sign_in(world, url_name):
    response = Client().get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", ["api_tokens:list", "api_tokens:create"])
def test_every_signed_in_person_manages_their_own_tokens(world, persona, url_name):
    assert signed_in(getattr(world, persona)).get(reverse(url_name)).status_code == 200


def test_the_user_menu_links_to_the_page(world):
    page = signed_in(world.supporter).get(reverse("notifications:list"))

    assert reverse("api_tokens:list").encode() in page.content


def test_creating_shows_the_token_once_and_it_works_within_its_scopes(world):
    client = signed_in(world.supporter)

    response = create(client, name="report script", scopes=["read"], expiry="30")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw"]
    assert raw.encode() in response.content
    assert b"shown only this once" in response.content
    token = ApiToken.objects.get(user=world.supporter)
    assert token.name == "report script"
    assert token.scopes == ["read"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert raw not in token.hashed_key
    assert AuditEvent.objects.filter(action="api_token.issued", actor=world.supporter).exists()
    # The list never shows it again.
    listed = client.get(reverse("api_tokens:list"))
    assert b"report script" in listed.content
    assert raw.encode() not in listed.content
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/engagements").status_code == 200
    refused = api.post(
        f"/api/v1/engagements/{world.engagement.pk}/transitions",
        {"to": "exiting", "reason": "Goals met"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_the_default_expiry_is_90_days_and_never_is_a_choice(world):
    client = signed_in(world.supporter)
    form = client.get(reverse("api_tokens:create")).context["form"]
    assert form["expiry"].value() == "90"

    create(client, name="forever", expiry="never", scopes=["read", "export"])

    token = ApiToken.objects.get()
    assert token.expires_at is None
    assert token.scopes == ["read", "export"]


@pytest.mark.parametrize(
    "fields",
    [
        {"scopes": []},
        {"scopes": ["read", "admin"]},
        {"name": ""},
        {"name": "x" * 101},
        {"expiry": "7"},
    ],
)
def test_bad_input_answers_400_and_creates_nothing(world, fields):
    response = create(signed_in(world.supporter), **fields)

    assert response.status_code == 400
    assert "raw" not in response.context
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_ones_own_tokens(world):
    api_token_issue(user=world.supporter, name="mine")
    api_token_issue(user=world.other_supporter, name="theirs")

    page = signed_in(world.supporter).get(reverse("api_tokens:list"))

    assert [t.name for t in page.context["tokens"]] == ["mine"]
    assert b"theirs" not in page.content


def test_revoking_asks_first_then_deletes_and_records_it(world):
    api_token_issue(user=world.supporter, name="old script")
    token = ApiToken.objects.get()
    client = signed_in(world.supporter)
    url = reverse("api_tokens:revoke", args=[token.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert ApiToken.objects.exists()

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("api_tokens:list")
    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == world.supporter
    assert event.data["name"] == "old script"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "supporter"])
def test_nobody_else_can_see_or_revoke_a_token(world, persona):
    api_token_issue(user=world.supporter, name="mine")
    url = reverse("api_tokens:revoke", args=[ApiToken.objects.get().pk])
    client = signed_in(getattr(world, persona))

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ApiToken.objects.exists()


def test_anonymous_people_cannot_revoke(world):
    api_token_issue(user=world.supporter, name="mine")
    url = reverse("api_tokens:revoke", args=[ApiToken.objects.get().pk])

    assert Client().post(url).status_code == 302
    assert ApiToken.objects.exists()
