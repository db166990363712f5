"""What an assessment looks at: the facts recorded since the last one (or activation).

``gather`` answers a plain, JSON-ready dict, stored with the assessment (``facts``) so the
record shows what the team saw, and read by ``rules.suggest_tier``. It judges nothing:
thresholds belong to the rule. A fixed number of queries, whatever the history's size:

- the last assessment before this one (1);
- every completed, scored survey response up to the day (1): per instrument the latest
  score, its band, and the score before it, for the direction;
- goals with their check-ins and stages of change (3), and when each was first marked
  achieved (1, from the goals' history);
- meetings held, missed and cancelled in the period (1).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import get_language

from alongside.plans.models import Goal, GoalStage, GoalStatus, Stage
from alongside.surveys.definitions import localized
from alongside.surveys.models import Response, ResponseStatus

STAGE_ORDER = {value: index for index, value in enumerate(Stage.values)}


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def period_start(engagement, until: datetime.date, exclude_pk: int | None = None):
    """Since when an assessment on ``until`` looks: the last earlier assessment, else the
    day support became active (or started). Answers (date, kind)."""
    from alongside.assessments.models import Assessment

    earlier = Assessment.objects.filter(engagement=engagement, assessed_on__lte=until)
    if exclude_pk is not None:
        # The same day counts only for an assessment recorded before this one.
        earlier = earlier.exclude(pk=exclude_pk).exclude(assessed_on=until, pk__gt=exclude_pk)
    last = earlier.order_by("-assessed_on", "-id").values_list("assessed_on", flat=True).first()
    if last is not None:
        return last, "assessment"
    if engagement.activated_on:
        return engagement.activated_on, "activation"
    return engagement.started_on, "start"


def _scores(engagement, since: datetime.date, until: datetime.date, language: str) -> list:
    responses = (
        Response.objects.filter(
            engagement=engagement, status=ResponseStatus.COMPLETE, score__isnull=False
        )
        .select_related("instrument_version__instrument")
        .order_by("completed_at", "pk")
    )
    by_slug: dict[str, list[Response]] = {}
    for response in responses:
        if _local_day(response.completed_at) > until:
            continue
        by_slug.setdefault(response.instrument_version.instrument.slug, []).append(response)
    rows = []
    for slug, answered in by_slug.items():
        latest = answered[-1]
        previous = answered[-2] if len(answered) > 1 else None
        definition = latest.instrument_version.definition
        band = next((b for b in definition.get("bands", []) if b["key"] == latest.band), None)
        low, high = definition.get("scoring", {}).get("range", [None, None])
        on = _local_day(latest.completed_at)
        rows.append(
            {
                "slug": slug,
                "title": localized(definition.get("title"), language) or slug,
                "score": _number(latest.score),
                "on": on.isoformat(),
                "band": latest.band,
                "band_label": localized(band["label"], language) if band else "",
                "previous": _number(previous.score) if previous else None,
                "previous_on": (
                    _local_day(previous.completed_at).isoformat() if previous else None
                ),
                "recent": on >= since,
                "low": low,
                "high": high,
            }
        )
    return sorted(rows, key=lambda row: row["title"])


def _stage_at(stages: list[GoalStage], last_day: datetime.date) -> str:
    """The goal's stage as recorded on or before ``last_day`` ("" if none yet)."""
    stage = ""
    for record in stages:
        if _local_day(record.recorded_at) <= last_day:
            stage = record.stage
    return stage


def _movement(before: str, after: str) -> str | None:
    if not before or not after:
        return None
    if STAGE_ORDER[after] > STAGE_ORDER[before]:
        return "forward"
    if STAGE_ORDER[after] < STAGE_ORDER[before]:
        return "back"
    return "same"


def _goals(engagement, since: datetime.date, until: datetime.date) -> list:
    goals = list(
        Goal.objects.filter(engagement=engagement)
        .prefetch_related("check_ins", "stages")
        .order_by("created_at", "id")
    )
    achieved_at = dict(
        Goal.history.filter(engagement_id=engagement.pk, status=GoalStatus.ACHIEVED)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    rows = []
    for goal in goals:
        if _local_day(goal.created_at) > until:
            continue
        check_ins = sorted(goal.check_ins.all(), key=lambda c: (c.checked_on, c.pk))
        before = [c for c in check_ins if c.checked_on < since]
        within = [c for c in check_ins if since <= c.checked_on <= until]
        stages = sorted(goal.stages.all(), key=lambda s: (s.recorded_at, s.pk))
        stage_from = _stage_at(stages, since - datetime.timedelta(days=1))
        stage_to = _stage_at(stages, until)
        achieved_on = None
        if goal.status == GoalStatus.ACHIEVED:
            moment = achieved_at.get(goal.pk) or goal.updated_at
            achieved_on = _local_day(moment)
        achieved_within = achieved_on is not None and since <= achieved_on <= until
        in_scope = goal.status == GoalStatus.ACTIVE or achieved_within
        rows.append(
            {
                "id": goal.pk,
                "statement": goal.statement,
                "status": goal.status,
                "status_label": str(GoalStatus(goal.status).label),
                "in_scope": in_scope,
                "achieved_on": achieved_on.isoformat() if achieved_within else None,
                "check_ins": len(within),
                "baseline": before[-1].rating if before else None,
                "first": within[0].rating if within else None,
                "last": within[-1].rating if within else None,
                "stage_from": stage_from,
                "stage_from_label": str(Stage(stage_from).label) if stage_from else "",
                "stage_to": stage_to,
                "stage_to_label": str(Stage(stage_to).label) if stage_to else "",
                "movement": _movement(stage_from, stage_to),
            }
        )
    return rows


def _attendance(engagement, since: datetime.date, until: datetime.date) -> dict:
    from alongside.meetings.models import Meeting, MeetingStatus

    counts = Meeting.objects.filter(
        engagement=engagement, starts_at__date__gte=since, starts_at__date__lte=until
    ).aggregate(
        held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
        missed=Count("pk", filter=Q(status=MeetingStatus.MISSED)),
        cancelled=Count("pk", filter=Q(status=MeetingStatus.CANCELLED)),
    )
    return {key: counts[key] or 0 for key in ("held", "missed", "cancelled")}


def gather(
    engagement, *, until: datetime.date | None = None, exclude_pk: int | None = None
) -> dict:
    """The facts for an assessment of ``engagement`` dated ``until`` (today by default).

    ``exclude_pk`` is the assessment being edited, which must not be its own "last one".
    """
    until = until or timezone.localdate()
    since, since_kind = period_start(engagement, until, exclude_pk)
    language = (get_language() or "en").split("-")[0]
    return {
        "since": since.isoformat(),
        "since_kind": since_kind,
        "until": until.isoformat(),
        "scores": _scores(engagement, since, until, language),
        "goals": _goals(engagement, since, until),
        "attendance": _attendance(engagement, since, until),
    }
