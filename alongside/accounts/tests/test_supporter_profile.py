"""A supporter keeps their own matching profile; an administrator sets capacity."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from alongside.accounts.services import supporter_profile_update
from alongside.core.errors import RuleViolation

URL = "accounts:profile"


def _post(world, **overrides):
    data = {
        "languages": ["en", "es"],
        "lived_experience": ["substance_use"],
        "gender": "woman",
        "age_band": "35-44",
        "locations_served": "Eastside, Riverside",
        "travel_radius_miles": "10",
        "accepting": "on",
        "window-TOTAL_FORMS": "2",
        "window-INITIAL_FORMS": "0",
        "window-MIN_NUM_FORMS": "0",
        "window-MAX_NUM_FORMS": "21",
        "window-0-weekday": "0",
        "window-0-starts": "09:00",
        "window-0-ends": "12:00",
        "window-1-weekday": "",
        "window-1-starts": "",
        "window-1-ends": "",
    }
    data.update(overrides)
    return data


def test_a_supporter_saves_places_and_availability(client, world):
    client.force_login(world.supporter)
    response = client.post(reverse(URL), _post(world))
    assert response.status_code == 302
    profile = world.supporter_profile
    profile.refresh_from_db()
    assert profile.locations_served == ["Eastside", "Riverside"]
    assert profile.age_band == "35-44"
    assert [str(w) for w in profile.availability.all()] == ["Monday 09:00–12:00"]


def test_overlapping_windows_are_refused_and_nothing_changes(client, world):
    client.force_login(world.supporter)
    data = _post(
        world,
        **{"window-1-weekday": "0", "window-1-starts": "11:00", "window-1-ends": "13:00"},
    )
    response = client.post(reverse(URL), data)
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    world.supporter_profile.refresh_from_db()
    assert world.supporter_profile.locations_served == []
    assert not world.supporter_profile.availability.exists()


def test_a_window_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(RuleViolation, match="after its start"):
        supporter_profile_update(
            profile=world.supporter_profile,
            actor=world.supporter,
            windows=[(2, datetime.time(14), datetime.time(9))],
        )


def test_capacity_is_not_the_supporters_to_change(world):
    with pytest.raises(RuleViolation, match="administrator"):
        supporter_profile_update(
            profile=world.supporter_profile, actor=world.supporter, windows=[], capacity=99
        )


def test_posting_capacity_through_the_page_changes_nothing(client, world):
    client.force_login(world.supporter)
    client.post(reverse(URL), _post(world, capacity="99"))
    world.supporter_profile.refresh_from_db()
    assert world.supporter_profile.capacity == 10
