"""Who reaches each assessment page: the rows the access matrix holds for this app."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.assessments.testing import an_assessment

ANON = "sign-in"
READ = {"anonymous": ANON, "admin": 403, "participant_user": 403, "other_supporter": 404,
        "outsider": 404, "default": 200}  # fmt: skip
WRITE = {**READ, "supervisor": 403}
PORTAL = {"anonymous": ANON, "participant_user": 200, "default": 403}
PERSONAS = ["anonymous", "admin", "coordinator", "supervisor", "supporter", "other_supporter",
            "participant_user", "outsider"]  # fmt: skip


def _engagement(world):
    return {"pk": world.engagement.pk}


def _assessment(world):
    return {"pk": an_assessment(world.engagement, world.supporter).pk}


def _to_sign(world):
    return {**_assessment(world), "role": "participant"}


def _none(world):
    return {}


ROWS = {
    "assessments:create": (_engagement, WRITE),
    "assessments:goal_review_create": (_engagement, WRITE),
    "assessments:detail": (_assessment, READ),
    "assessments:edit": (_assessment, WRITE),
    "assessments:sign": (_to_sign, WRITE),
    "assessments:pdf": (_assessment, READ),
    "assessments:portal_list": (_none, PORTAL),
    "assessments:portal_sign": (_assessment, PORTAL),
    "assessments:portal_pdf": (_assessment, PORTAL),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(ROWS))
def test_access(client, world, url_name, persona):
    make_kwargs, expectations = ROWS[url_name]
    url = reverse(url_name, kwargs=make_kwargs(world))
    if persona != "anonymous":
        client.force_login(getattr(world, persona))

    response = client.get(url)

    expected = expectations.get(persona, expectations["default"])
    if expected == ANON:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, (url_name, persona, response.status_code)
