"""Survey pages: staff fill one with the participant (or from paper); the participant fills
their own in the portal, one item per screen or all on one page, saved as they go."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.core.permissions import Cap, get_or_404
from alongside.core.web import attempt, form_status
from alongside.engagements.models import State
from alongside.engagements.selectors import closed_notice, engagement_get_for, own_engagements
from alongside.surveys import selectors, services
from alongside.surveys.definitions import localized, shown_in_english_only
from alongside.surveys.forms import AnswersForm
from alongside.surveys.models import FillMethod, Response


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _version_or_404(slug: str):
    version = selectors.current_version(slug)
    if version is None:
        raise Http404
    return version


def _run(form, call, stale: list):
    """attempt(), remembering a stale edit and the items a refused completion left open."""

    def guarded():
        try:
            return call()
        except StaleEdit:
            stale.append(True)
            raise
        except RuleViolation as refusal:
            form.mark_missing(refusal.missing)
            raise

    return attempt(form, guarded)


def _keep_after_stale(form, response) -> None:
    # The typed answers stay; saving again, having been told, saves over the newer copy.
    current = Response.objects.only("version").get(pk=response.pk)
    form.data = form.data.copy()
    form.data["version"] = current.version
    form.add_error(
        None, _("Your answers are still in the form: check them and save again to keep them.")
    )


# Staff: with the participant, or from paper


@require_GET
@capability_required(Cap.SURVEYS_RECORD)
def record_choose(request, pk: int):
    """The instruments to fill with the participant, and the drafts to finish."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    read_record(request, "survey choice", [engagement.participant_id])
    language = _language()
    section = selectors.engagement_section(engagement, language)
    instruments = [
        {"slug": i.slug, "title": localized(i.current.definition["title"], language)}
        for i in selectors.instruments_in_use()
    ]
    return render(
        request,
        "surveys/record_choose.html",
        {
            "engagement": engagement,
            "instruments": instruments,
            "drafts": section["drafts"],
            "blocked": closed_notice(engagement),
        },
    )


def _record_page(request, engagement, version, form, *, response=None, blocked="", stale=()):
    return render(
        request,
        "surveys/record_form.html",
        {
            "engagement": engagement,
            "version": version,
            "definition": version.definition,
            "instructions": localized(version.definition.get("instructions"), _language()),
            "title": localized(version.definition["title"], _language()),
            "english_only": shown_in_english_only(version.definition, _language()),
            "form": form,
            "response": response,
            "blocked": blocked,
            "stale": bool(stale),
        },
        status=form_status(request, form, blocked) if not stale else 409,
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SURVEYS_RECORD)
def record_new(request, pk: int, slug: str):
    """A new response, all items on one page: save as a draft or complete."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    version = _version_or_404(slug)
    read_record(request, "survey form", [engagement.participant_id])
    language = _language()
    form = AnswersForm(request.POST or None, version=version, language=language, with_method=True)
    blocked = closed_notice(engagement)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        response = _run(
            form,
            lambda: services.response_record(
                engagement=engagement,
                version=version,
                actor=request.user,
                method=data["method"],
                answers={k: v for k, v in form.answers().items() if v not in (None, "")},
                complete=data["action"] == "complete",
                language=language,
            ),
            [],
        )
        if response is not None:
            return _record_done(request, response)
    return _record_page(request, engagement, version, form, blocked=blocked)


def _record_done(request, response):
    if response.is_complete:
        messages.success(request, _("Survey complete."))
        back = reverse("engagements:detail", args=[response.engagement_id])
        return redirect(f"{back}#surveys")
    messages.success(request, _("Draft saved. Finish it when you are ready."))
    return redirect("surveys:record_edit", pk=response.pk)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SURVEYS_RECORD)
def record_edit(request, pk: int):
    """A response: finish a draft, or read a completed one."""
    response = get_or_404(
        selectors.responses_visible_to(request.user, request.organization).select_related(
            "engagement__participant", "engagement__program", "filled_by"
        ),
        pk=pk,
    )
    engagement = response.engagement
    version = response.instrument_version
    read_record(request, "survey response", [engagement.participant_id])
    blocked = closed_notice(engagement)
    if response.is_complete:
        blocked = _("This survey is complete; it can no longer be changed.")
    elif response.method == FillMethod.PORTAL:
        blocked = _("The participant is filling this survey in the portal; only they change it.")
    form = AnswersForm(
        request.POST or None,
        version=version,
        language=response.language,
        answers=response.answers,
        record_version=response.version,
    )
    stale: list = []
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        if data["action"] == "complete":

            def call():
                return services.response_complete(
                    response=response,
                    actor=request.user,
                    expected_version=data["version"],
                    answers=form.answers(),
                )
        else:

            def call():
                return services.response_save(
                    response=response,
                    actor=request.user,
                    answers=form.answers(),
                    expected_version=data["version"],
                )

        saved = _run(form, call, stale)
        if saved is not None:
            return _record_done(request, saved)
        if stale:
            _keep_after_stale(form, response)
    return _record_page(
        request, engagement, version, form, response=response, blocked=blocked, stale=stale
    )


# The portal: the participant's own


def _own_open_engagement(request):
    engagement = (
        own_engagements(request.user, request.organization)
        .exclude(state=State.CLOSED)
        .select_related("participant", "program")
        .order_by("-pk")
        .first()
    )
    return engagement


@require_GET
@capability_required(Cap.SURVEYS_FILL)
def portal_list(request):
    """My surveys: those I can fill, my drafts to finish, my scores over time."""
    engagement = _own_open_engagement(request)
    section = (
        selectors.portal_section(engagement, request.user, _language()) if engagement else None
    )
    read_record(request, "portal surveys", [engagement.participant_id] if engagement else [])
    return render(
        request, "surveys/portal_list.html", {"engagement": engagement, "section": section}
    )


def _position(items: list[dict], raw: str | None, answers: dict) -> int | None:
    """The index of ``?item=N``; with no N, the first item not answered yet (resuming)."""
    if raw is None:
        return next(
            (i for i, item in enumerate(items) if str(item["number"]) not in answers),
            len(items) - 1,
        )
    return next((i for i, item in enumerate(items) if str(item["number"]) == raw), None)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SURVEYS_FILL)
def portal_fill(request, slug: str):
    """Fill a survey: one item per screen (``?item=N``) or all on one page (``?all=1``)."""
    engagement = _own_open_engagement(request)
    if engagement is None:
        raise Http404
    version = _version_or_404(slug)
    read_record(request, "portal survey", [engagement.participant_id])
    language = _language()
    draft = (
        selectors.responses_visible_to(request.user, request.organization)
        .filter(
            engagement=engagement,
            instrument_version=version,
            status="draft",
            method=FillMethod.PORTAL,
            filled_by=request.user,
        )
        .order_by("-pk")
        .first()
    )
    answers = draft.answers if draft else {}
    items = version.definition["items"]
    all_on_one = request.GET.get("all") == "1"
    if all_on_one:
        shown, index = items, None
        actions = ("draft", "complete")
    else:
        index = _position(items, request.GET.get("item"), answers)
        if index is None:
            return render(
                request,
                "surveys/bad_request.html",
                {"message": _("This survey has no such question."), "slug": slug},
                status=400,
            )
        shown = [items[index]]
        actions = ("back", "next", "complete")
    form = AnswersForm(
        request.POST or None,
        version=version,
        language=language,
        answers=answers,
        items=shown,
        actions=actions,
        record_version=draft.version if draft else None,
    )
    stale: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given = form.answers()

        kept: list = []

        def call():
            current = draft
            if current is None:
                current = services.response_start(
                    engagement=engagement,
                    version=version,
                    actor=request.user,
                    method=FillMethod.PORTAL,
                    language=language,
                    answers={k: v for k, v in given.items() if v not in (None, "")},
                )
            else:
                current = services.response_save(
                    response=current,
                    actor=request.user,
                    answers=given,
                    expected_version=data["version"],
                )
            kept.append(current)
            if data["action"] == "complete":
                # A refusal here loses nothing: the answers were saved to the draft above.
                current = services.response_complete(
                    response=current, actor=request.user, expected_version=current.version
                )
            return current

        saved = _run(form, call, stale)
        base = reverse("surveys:portal_fill", args=[slug])
        if saved is not None:
            if saved.is_complete:
                messages.success(
                    request,
                    _(
                        "Thank you. Your answers are saved; you and your peer supporter "
                        "can talk about them together."
                    ),
                )
                return redirect("surveys:portal_list")
            if all_on_one:
                messages.success(request, _("Saved. You can finish later."))
                return redirect(f"{base}?all=1")
            step = -1 if data["action"] == "back" else 1
            target = items[min(max(index + step, 0), len(items) - 1)]["number"]
            return redirect(f"{base}?item={target}")
        if stale and draft is not None:
            _keep_after_stale(form, draft)
        elif kept:
            form.data = form.data.copy()
            form.data["version"] = kept[-1].version
    missing = getattr(form, "missing", None)
    return render(
        request,
        "surveys/portal_fill.html",
        {
            "slug": slug,
            "title": localized(version.definition["title"], language),
            "instructions": localized(version.definition.get("instructions"), language),
            "english_only": shown_in_english_only(version.definition, language),
            "form": form,
            "all_on_one": all_on_one,
            "index": index,
            "count": len(items),
            "is_first": index == 0,
            "is_last": index is not None and index == len(items) - 1,
            "missing": missing,
            "stale": bool(stale),
        },
        status=409 if stale else form_status(request, form),
    )
