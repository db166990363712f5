"""Clients that speak to the API as one of the personas of the root conftest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from alongside.api.services import api_token_issue


@pytest.fixture
def api_as(world) -> Callable[..., Client]:
    """``api_as(world.supporter)``: a client sending that persona's bearer token, with every
    scope (so a test measures the role's rights; tests of scopes issue their own)."""

    def make(user) -> Client:
        token = api_token_issue(user=user, scopes=["read", "write", "export"])
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


def post_json(client: Client, path: str, body) -> object:
    return client.post(path, body, content_type="application/json")
