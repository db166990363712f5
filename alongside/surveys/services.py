"""Instruments installed from their definition files, and responses: start, save, complete.

Bad answers (an item the version does not have, a value its scale does not offer, a
text too long) raise ``ValidationError`` and change nothing; rules of the record (a
closed engagement, a retired version, required items left, a stale copy) raise
``RuleViolation``. Every write is atomic and recorded as an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import check_version, save_changes
from alongside.engagements.services import ensure_writable
from alongside.surveys.definitions import (
    TEXT_MAX_LENGTH,
    DefinitionError,
    definition_files,
    definition_load,
    localized,
)
from alongside.surveys.models import (
    FillMethod,
    Instrument,
    InstrumentVersion,
    Response,
    ResponseStatus,
)
from alongside.surveys.scoring import score


@dataclass
class InstallSummary:
    installed: list[str] = field(default_factory=list)  # "who-5 v1", new versions
    unchanged: list[str] = field(default_factory=list)


def instruments_install(*, directory: Path | None = None) -> InstallSummary:
    """Install every definition file as an instrument version; running it again is harmless.

    A new file adds a version (the highest number becomes the instrument's current one);
    a file whose version is installed with different content is refused, and nothing of
    the run is installed: a changed definition needs a new version number.
    """
    files = [definition_load(path) for path in definition_files(directory)]
    summary = InstallSummary()
    with transaction.atomic():
        for loaded in files:
            definition = loaded.definition
            name = f"{definition['slug']} v{definition['version']}"
            instrument, _created = Instrument.objects.select_for_update().get_or_create(
                slug=definition["slug"], defaults={"title": localized(definition["title"])}
            )
            existing = instrument.versions.filter(number=definition["version"]).first()
            if existing is not None:
                if existing.sha256 != loaded.sha256:
                    raise DefinitionError(
                        loaded.path.name,
                        [
                            f"{name} is installed already with different content; "
                            "give the changed definition a new version number "
                            f"({definition['slug']}.v{definition['version'] + 1}.json)."
                        ],
                    )
                summary.unchanged.append(name)
                continue
            version = InstrumentVersion.objects.create(
                instrument=instrument,
                number=definition["version"],
                definition=definition,
                sha256=loaded.sha256,
            )
            current = instrument.current
            if current is None or current.number < version.number:
                instrument.current = version
                instrument.title = localized(definition["title"])[:200]
                instrument.save(update_fields=["current", "title"])
            event_record(
                actor=None,
                organization=None,
                action="instrument.installed",
                obj=version,
                data={"slug": instrument.slug, "version": version.number, "sha256": loaded.sha256},
            )
            summary.installed.append(name)
    return summary


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def answers_problems(version: InstrumentVersion, answers: Any) -> list[str]:
    """What is wrong with these answers to this version, as sentences; empty when fine.

    A value of None (or an empty text) clears an answer.
    """
    if not isinstance(answers, dict):
        return [_('Answers must be an object keyed by item number, like {"1": 5}.')]
    problems = []
    definition = version.definition
    for key, value in answers.items():
        item = (
            version.item(int(key))
            if isinstance(key, str) and key.isascii() and key.isdigit()
            else None
        )
        if item is None:
            numbers = ", ".join(str(i["number"]) for i in definition["items"])
            problems.append(
                _("Item %(key)s is not in %(name)s; its items are %(numbers)s.")
                % {"key": key, "name": version, "numbers": numbers}
            )
            continue
        if value is None:
            continue
        if item["kind"] == "choice":
            options = [o["value"] for o in definition["scales"][item["scale"]]["options"]]
            if not _is_int(value) or value not in options:
                problems.append(
                    _("Item %(key)s: the answer must be one of %(options)s (not %(value)s).")
                    % {
                        "key": key,
                        "options": ", ".join(str(o) for o in sorted(options)),
                        "value": repr(value),
                    }
                )
        else:
            limit = item.get("max_length", TEXT_MAX_LENGTH)
            if not isinstance(value, str) or "\x00" in value:
                problems.append(_("Item %(key)s: the answer must be text.") % {"key": key})
            elif len(value.strip()) > limit:
                problems.append(
                    _("Item %(key)s: the answer is %(length)s characters; at most %(limit)s.")
                    % {"key": key, "length": len(value.strip()), "limit": limit}
                )
    return problems


def _merged(version: InstrumentVersion, stored: dict, answers: dict) -> dict:
    problems = answers_problems(version, answers)
    if problems:
        raise ValidationError({"answers": problems})
    merged = dict(stored)
    for key, value in answers.items():
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return dict(sorted(merged.items(), key=lambda pair: int(pair[0])))


def _ensure_offered(version: InstrumentVersion) -> None:
    if version.retired or not version.instrument.in_use:
        raise RuleViolation(
            _(
                "%(name)s is retired: no more responses to it. "
                "Start a new response to its current version."
            )
            % {"name": version}
        )


def _ensure_method(engagement, actor, method: str) -> None:
    is_participant = engagement.participant.user_id == getattr(actor, "pk", None)
    if method == FillMethod.PORTAL and not is_participant:
        raise RuleViolation(_("Only the participant fills a survey in the portal."))
    if method not in FillMethod.values:
        raise ValidationError({"method": _("Choose how the survey was filled from the list.")})


def response_start(
    *,
    engagement,
    version: InstrumentVersion,
    actor,
    method: str,
    language: str = "en",
    answers: dict | None = None,
) -> Response:
    """Open a draft response to ``version`` for the engagement, with any first answers."""
    ensure_writable(engagement)
    _ensure_offered(version)
    _ensure_method(engagement, actor, method)
    if language not in version.definition["languages"]:
        language = "en"
    merged = _merged(version, {}, answers or {})
    with transaction.atomic():
        response = Response(
            engagement=engagement,
            instrument_version=version,
            answers=merged,
            language=language,
            method=method,
            filled_by=actor,
        )
        response._history_user = actor
        response.save()
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="response.started",
            obj=response,
            data={"instrument": str(version), "method": method},
        )
    return response


def _locked(response: Response, actor, expected_version: int | None) -> Response:
    current = (
        Response.objects.select_for_update()
        .select_related("engagement__participant", "instrument_version__instrument")
        .get(pk=response.pk)
    )
    _ensure_may_continue(current, actor)
    check_version(current, expected_version)
    if current.is_complete:
        raise RuleViolation(_("This response is complete; it can no longer be changed."))
    ensure_writable(current.engagement)
    _ensure_offered(current.instrument_version)
    return current


def _ensure_may_continue(response: Response, actor) -> None:
    """A portal draft is the participant's to finish; one the team records is the team's."""
    if response.method == FillMethod.PORTAL:
        if actor is None or actor.pk != response.filled_by_id:
            raise RuleViolation(
                _("The participant is filling this survey in the portal; only they change it.")
            )
    elif actor is not None and actor.pk == response.engagement.participant.user_id:
        raise RuleViolation(
            _(
                "You continue only the surveys you fill in the portal; "
                "this one was recorded by staff."
            )
        )


def response_save(
    *, response: Response, actor, answers: dict, expected_version: int | None
) -> Response:
    """Save some answers to a draft (None or empty text clears one); the rest are kept."""
    with transaction.atomic():
        current = _locked(response, actor, expected_version)
        current.answers = _merged(current.instrument_version, current.answers, answers)
        save_changes(current, actor, ["answers"])
        event_record(
            actor=actor,
            organization=current.engagement.organization,
            action="response.saved",
            obj=current,
            data={"items": sorted(answers, key=int)},
        )
    return current


def missing_required(version: InstrumentVersion, answers: dict) -> list[int]:
    return [
        item["number"]
        for item in version.definition["items"]
        if item.get("required", item["kind"] == "choice") and str(item["number"]) not in answers
    ]


def response_complete(
    *, response: Response, actor, expected_version: int | None, answers: dict | None = None
) -> Response:
    """Complete a draft (with any last answers): refused while required items are open;
    the score, raw score and band are computed by the scoring engine and stored."""
    with transaction.atomic():
        current = _locked(response, actor, expected_version)
        version = current.instrument_version
        if answers:
            current.answers = _merged(version, current.answers, answers)
        missing = missing_required(version, current.answers)
        if missing:
            raise RuleViolation(
                _("Answer every required item before completing: %(items)s still open.")
                % {"items": ", ".join(str(n) for n in missing)},
                missing=[str(n) for n in missing],
            )
        result = score(version.definition, current.answers)
        current.status = ResponseStatus.COMPLETE
        current.completed_at = timezone.now()
        current.raw, current.score, current.band = result.raw, result.score, result.band_key
        save_changes(current, actor, ["answers", "status", "completed_at", "raw", "score", "band"])
        event_record(
            actor=actor,
            organization=current.engagement.organization,
            action="response.completed",
            obj=current,
            data={"instrument": str(version), "score": result.score, "band": result.band_key},
        )
    return current


def response_record(
    *,
    engagement,
    version: InstrumentVersion,
    actor,
    method: str,
    answers: dict,
    complete: bool = True,
    language: str = "en",
) -> Response:
    """Start a response with its answers and, unless a draft is wanted, complete it, all at
    once: a refused completion keeps nothing."""
    with transaction.atomic():
        response = response_start(
            engagement=engagement,
            version=version,
            actor=actor,
            method=method,
            language=language,
            answers=answers,
        )
        if complete:
            response = response_complete(
                response=response, actor=actor, expected_version=response.version
            )
    return response
