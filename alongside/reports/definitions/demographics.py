"""Demographics of the people served (those with a meeting held in the period), as they
chose to tell us, with "not recorded" shown rather than hidden. One query: the people
served, counted by the database per combination of their answers (and age band), so only
those combinations, not a row per person, reach Python to be added up."""

from __future__ import annotations

import datetime
from collections import Counter
from itertools import pairwise

from django.db.models import Case, CharField, Count, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.models import LANGUAGE_CHOICES
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.participants.models import GenderIdentity, Participant, RaceEthnicity, VeteranStatus
from alongside.reports.definitions.common import in_period, scope, share
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table
from alongside.reports.suppression import THRESHOLD

NOT_RECORDED = ""
# (lowest age, highest age or None) of each band, as of the end of the period.
AGE_BANDS = ((0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, None))


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The latest date of birth of someone ``years`` old or more on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band_sql(field: str, day: datetime.date) -> Case:
    """``age_band`` in SQL: the band's key from the date of birth, "" without one."""
    whens = [When(**{f"{field}__isnull": True}, then=Value(NOT_RECORDED))]
    for (low, high), (following, _next) in pairwise(AGE_BANDS):
        # younger than the next band's lowest age: born after that many years before day
        born_after = {f"{field}__gt": years_before(day, following)}
        whens.append(When(**born_after, then=Value(_band_key(low, high))))
    low, high = AGE_BANDS[-1]
    return Case(*whens, default=Value(_band_key(low, high)), output_field=CharField())


def age_band(born: datetime.date | None, day: datetime.date) -> str:
    """The band's key ("18-24"), or NOT_RECORDED without a date of birth."""
    if born is None:
        return NOT_RECORDED
    age = age_on(born, day)
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return _band_key(low, high)
    return NOT_RECORDED  # pragma: no cover (the last band is open)


def _band_key(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def _band_label(low: int, high: int | None) -> str:
    if low == 0:
        return _("Under %(age)s") % {"age": high + 1}
    if high is None:
        return _("%(age)s and over") % {"age": low}
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


def _table(key, title, label_header, choices, counts: Counter, served: int, *, exclusive=True):
    """One row per choice, then "Not recorded"; a total row when each person is in one."""

    def cells(n: int) -> list[Cell]:
        return [Cell(n, people=n), share(n, served, n)]

    rows = [Row(str(label), cells(counts.get(value, 0))) for value, label in choices]
    rows.append(Row(_("Not recorded"), cells(counts.get(NOT_RECORDED, 0))))
    if exclusive:
        rows.append(Row(_("Total"), cells(served), is_total=True))
    return Table(
        key=key,
        title=title,
        label_header=label_header,
        columns=[_("People"), _("% of people served")],
        rows=rows,
        chart=Chart("bars", column=0),
    )


def _served_note(served: int) -> str:
    if served < THRESHOLD:
        return _(
            "Each person counts under every race or ethnicity they chose, so the figures "
            "add up to more than the people served (fewer than %(n)s)."
        ) % {"n": THRESHOLD}
    return _(
        "Each person counts under every race or ethnicity they chose, so the figures add "
        "up to more than the %(n)s people served."
    ) % {"n": served}


@register(
    "demographics",
    gettext_lazy("Demographics"),
    gettext_lazy(
        "Demographics of the people served (as recorded, with 'not recorded' shown): "
        "gender, race and ethnicity, veteran status, age and preferred language."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    held = Meeting.objects.filter(
        scope(filters), in_period(filters, "starts_at"), status=MeetingStatus.HELD
    ).values("engagement__participant_id")
    combinations = (
        Participant.objects.filter(pk__in=held)
        .annotate(band=age_band_sql("date_of_birth", filters.end))
        .values_list("gender", "race_ethnicity", "veteran_status", "band", "preferred_language")
        .annotate(n=Count("pk"))
        .order_by()
    )
    genders, races, veterans = Counter(), Counter(), Counter()
    ages, languages = Counter(), Counter()
    known = {
        "gender": set(GenderIdentity.values),
        "veteran": set(VeteranStatus.values),
        "language": {value for value, _label in LANGUAGE_CHOICES},
    }
    served = 0
    for gender, race, veteran, band, language, n in combinations:
        served += n
        genders[gender if gender in known["gender"] else NOT_RECORDED] += n
        veterans[veteran if veteran in known["veteran"] else NOT_RECORDED] += n
        languages[language if language in known["language"] else NOT_RECORDED] += n
        ages[band] += n
        chosen = {value for value in (race or []) if value in RaceEthnicity.values}
        for value in chosen or {NOT_RECORDED}:
            races[value] += n
    bands = [(_band_key(low, high), _band_label(low, high)) for low, high in AGE_BANDS]
    note = _("People with a meeting held in the period, each counted once.")
    tables = [
        _table(
            "gender", _("Gender identity"), _("Gender"), GenderIdentity.choices, genders, served
        ),
        _table(
            "race_ethnicity",
            _("Race and ethnicity"),
            _("Race or ethnicity"),
            RaceEthnicity.choices,
            races,
            served,
            exclusive=False,
        ),
        _table(
            "veteran", _("Veteran status"), _("Veteran"), VeteranStatus.choices, veterans, served
        ),
        _table("age", _("Age"), _("Age at the end of the period"), bands, ages, served),
        _table(
            "language",
            _("Preferred language"),
            _("Language"),
            LANGUAGE_CHOICES,
            languages,
            served,
        ),
    ]
    for table in tables:
        table.note = note
    tables[1].note = f"{note} {_served_note(served)}"
    tables[3].note = f"{note} {_('Age on the last day of the period.')}"
    tables[4].note = f"{note} {_('English unless another language was recorded.')}"
    return tables
