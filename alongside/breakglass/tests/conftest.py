"""Rae: a participant of Riverbend outside every program Cora coordinates."""

from __future__ import annotations

import datetime

import pytest

from alongside.accounts.models import Role
from alongside.organizations.models import Program
from alongside.participants.models import Participant
from conftest import grant, make_user, open_engagement

REASON = "Rae's sister called: Rae is in crisis and asked for her emergency plan."


@pytest.fixture
def rae(world):
    """Rae Quill, in Crisis Stabilization with Omar; Cora coordinates neither program of
    hers, Cristo coordinates it."""
    world.crisis = Program.objects.create(organization=world.org, name="Crisis Stabilization")
    world.crisis_coordinator = make_user("cristo", "Cristo")
    grant(world.crisis_coordinator, world.org, Role.COORDINATOR, programs=[world.crisis])
    world.rae = Participant.objects.create(
        organization=world.org,
        first_name="Rae",
        last_name="Quill",
        date_of_birth=datetime.date(1990, 4, 2),
    )
    world.rae_engagement = open_engagement(world.rae, world.crisis, world.other_supporter)
    return world.rae
