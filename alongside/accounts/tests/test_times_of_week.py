"""A supporter's weekly windows map to the good times to meet a participant can name."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from alongside.accounts.models import (
    AvailabilityWindow,
    TimeOfWeek,
    Weekday,
    times_of_week,
    validate_times_of_week,
)

MORNING, AFTERNOON = TimeOfWeek.WEEKDAY_MORNING, TimeOfWeek.WEEKDAY_AFTERNOON
EVENING, WEEKEND = TimeOfWeek.WEEKDAY_EVENING, TimeOfWeek.WEEKEND


def _at(hours: float) -> datetime.time:
    return datetime.time(int(hours), int(hours % 1 * 60))


@pytest.mark.parametrize(
    ("weekday", "starts", "ends", "expected"),
    [
        (Weekday.MONDAY, 9, 11, {MORNING}),
        (Weekday.WEDNESDAY, 11, 13, {MORNING, AFTERNOON}),  # overlaps both spans
        (Weekday.FRIDAY, 9, 12, {MORNING}),  # ends as the afternoon begins
        (Weekday.TUESDAY, 12, 17, {AFTERNOON}),  # exactly the afternoon
        (Weekday.THURSDAY, 16.5, 18, {AFTERNOON, EVENING}),
        (Weekday.MONDAY, 17, 20, {EVENING}),  # starts as the afternoon ends
        (Weekday.FRIDAY, 23, 23.5, {EVENING}),
        (Weekday.TUESDAY, 0, 1, {MORNING}),
        (Weekday.WEDNESDAY, 8, 20, {MORNING, AFTERNOON, EVENING}),
        (Weekday.SATURDAY, 10, 11, {WEEKEND}),
        (Weekday.SATURDAY, 11, 13, {WEEKEND}),  # never a weekday time
        (Weekday.SUNDAY, 19, 21, {WEEKEND}),
    ],
)
def test_a_window_counts_for_every_time_whose_span_it_overlaps(weekday, starts, ends, expected):
    assert times_of_week(weekday, _at(starts), _at(ends)) == expected


def test_a_saved_window_names_its_times():
    window = AvailabilityWindow(
        weekday=Weekday.SATURDAY, starts=datetime.time(9), ends=datetime.time(12)
    )

    assert window.times_of_week == {WEEKEND}


@pytest.mark.parametrize("value", [[], ["weekend"], list(TimeOfWeek.values)])
def test_lists_of_known_codes_are_valid(value):
    validate_times_of_week(value)


@pytest.mark.parametrize("value", [["brunch"], ["weekend", "Weekend"], "weekend", [{"a": 1}]])
def test_anything_else_is_refused_naming_the_codes(value):
    with pytest.raises(ValidationError, match="weekday_morning, weekday_afternoon"):
        validate_times_of_week(value)
