"""Who reaches the intake pages (the rows these URLs take in tests/test_access_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

PERSONAS = [
    "anonymous",
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]
SIGN_IN = "sign-in"
PUBLIC = {"default": 200}
COORDINATOR_PAGE = {"anonymous": SIGN_IN, "coordinator": 200, "outsider": 200, "default": 403}


def _org(world):
    return {"slug": world.org.slug}


EXPECTED = {
    "referrals:public": (_org, PUBLIC),
    "referrals:public_done": (_org, PUBLIC),
    "referrals:waitlist": (lambda world: {}, COORDINATOR_PAGE),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(EXPECTED))
def test_access(client, world, url_name, persona):
    make_kwargs, expectations = EXPECTED[url_name]
    if persona != "anonymous":
        client.force_login(getattr(world, persona))

    response = client.get(reverse(url_name, kwargs=make_kwargs(world)))

    expected = expectations.get(persona, expectations["default"])
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
