"""Choosing peer supporters: one referral from an explained list, or many at once."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts.models import PeerSupporterProfile, User
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation
from alongside.core.permissions import Cap, get_or_404, referrals_visible_to
from alongside.core.web import attempt
from alongside.engagements.web import engagement_form_page
from alongside.matching import services
from alongside.matching.forms import (
    BatchSelectForm,
    ChangeSupporterForm,
    MatchForm,
    SupporterNoteForm,
)
from alongside.matching.models import MatchBatch
from alongside.referrals.selectors import referral_get_for


def _supporter_of(organization, user_id) -> User | None:
    profile = (
        PeerSupporterProfile.objects.filter(organization=organization, user_id=user_id)
        .select_related("user")
        .first()
    )
    return profile.user if profile else None


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MATCHING_ASSIGN)
def suggest(request, pk: int):
    referral = referral_get_for(request.user, request.organization, pk)
    form = MatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supporter = _supporter_of(request.organization, form.cleaned_data["supporter"])
        if supporter is None:
            form.add_error(None, _("Choose a peer supporter of this organization."))
        else:
            engagement = attempt(
                form,
                lambda: services.match_confirm(
                    referral=referral, supporter=supporter, actor=request.user
                ),
            )
            if engagement is not None:
                messages.success(
                    request,
                    _("Matched with %(name)s. Onboarding has started.") % {"name": supporter},
                )
                return redirect("engagements:detail", pk=engagement.pk)
    suggestions = services.supporter_suggestions(referral)
    read_record(request, "match suggestions", [referral.participant_id])
    return render(
        request,
        "matching/suggest.html",
        {"referral": referral, "form": form, "suggestions": suggestions},
    )


def _note_about_supporter(request, pk: int, record, done_message: str):
    """Shared by 'participant declined' and 'declared conflict': both name a supporter."""
    referral = referral_get_for(request.user, request.organization, pk)
    form = SupporterNoteForm(request.POST)
    if form.is_valid():
        supporter = _supporter_of(request.organization, form.cleaned_data["supporter"])
        if supporter is None:
            messages.error(request, _("Choose a peer supporter of this organization."))
        elif attempt(form, lambda: record(referral, supporter, form.cleaned_data["reason"])):
            messages.success(request, done_message % {"name": supporter})
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("matching:suggest", pk=referral.pk)


@require_POST
@capability_required(Cap.MATCHING_ASSIGN)
def participant_declined(request, pk: int):
    return _note_about_supporter(
        request,
        pk,
        lambda referral, supporter, reason: services.supporter_decline_record(
            referral=referral, supporter=supporter, actor=request.user, reason=reason
        ),
        _("Noted: the participant would rather not work with %(name)s. The next best is shown."),
    )


@require_POST
@capability_required(Cap.MATCHING_ASSIGN)
def conflict_declared(request, pk: int):
    def record(referral, supporter, reason):
        profile = PeerSupporterProfile.objects.get(
            organization=request.organization, user=supporter
        )
        return services.conflict_declare(
            profile=profile, participant=referral.participant, actor=request.user, reason=reason
        )

    return _note_about_supporter(
        request, pk, record, _("Conflict recorded: %(name)s will not be matched with this person.")
    )


@require_POST
@capability_required(Cap.MATCHING_ASSIGN)
def batch_propose(request):
    from alongside.matching import batch

    waiting = referrals_visible_to(request.user, request.organization)
    ids = [int(v) for v in request.POST.getlist("referral") if v.isdigit()]
    form = BatchSelectForm(
        request.POST,
        referral_ids=list(waiting.filter(pk__in=ids).values_list("pk", flat=True)),
    )
    if not form.is_valid():
        messages.error(request, _("Select at least one waiting referral of your programs."))
        return redirect("referrals:waitlist")
    referrals = list(waiting.filter(pk__in=form.cleaned_data["referral"]))
    proposal = attempt(
        form,
        lambda: batch.batch_propose(
            organization=request.organization, referrals=referrals, actor=request.user
        ),
    )
    if proposal is None:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("referrals:waitlist")
    return redirect("matching:batch_detail", pk=proposal.pk)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MATCHING_ASSIGN)
def batch_detail(request, pk: int):
    from alongside.matching import batch as batch_services

    proposal = get_or_404(
        MatchBatch.objects.filter(organization=request.organization, created_by=request.user),
        pk=pk,
    )
    ids = [row["referral"] for row in proposal.proposal]
    referrals = {
        r.pk: r
        for r in referrals_visible_to(request.user, request.organization)
        .filter(pk__in=ids)
        .select_related("participant", "program")
    }
    if len(referrals) != len(ids):
        raise PermissionDenied
    supporters = list(
        PeerSupporterProfile.objects.filter(organization=request.organization, accepting=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )
    names = {p.user_id: str(p.user) for p in supporters}
    errors: list[str] = []
    if request.method == "POST" and proposal.status == MatchBatch.Status.PROPOSED:
        pairs = {}
        for referral_id in ids:
            value = request.POST.get(f"referral-{referral_id}", "")
            pairs[referral_id] = int(value) if value.isdigit() else None
        try:
            created = batch_services.batch_confirm(batch=proposal, actor=request.user, pairs=pairs)
        except RuleViolation as refusal:
            # Every change that blocks the batch, one per line.
            errors = [str(m) for m in refusal.missing] or [refusal.message]
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s match confirmed; the supporter has been told.",
                    "%(n)s matches confirmed; each supporter has been told.",
                    len(created),
                )
                % {"n": len(created)},
            )
            return redirect("referrals:waitlist")
    rows = [
        {
            **row,
            "referral_obj": referrals[row["referral"]],
            "supporter_name": names.get(row.get("supporter")),
        }
        for row in proposal.proposal
    ]
    read_record(request, "batch matching", [r.participant_id for r in referrals.values()])
    return render(
        request,
        "matching/batch.html",
        {"batch": proposal, "rows": rows, "supporters": supporters, "errors": errors},
        status=409 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MATCHING_ASSIGN)
def change_supporter(request, pk: int):
    def make_form(engagement, data):
        suggestions = services.engagement_suggestions(engagement)
        return ChangeSupporterForm(data, suggestions=suggestions)

    def save(engagement, data):
        supporter = _supporter_of(request.organization, data["supporter"])
        return services.engagement_change_supporter(
            engagement=engagement, supporter=supporter, actor=request.user, reason=data["reason"]
        )

    return engagement_form_page(
        request,
        pk,
        make_form=make_form,
        save=save,
        title=_("Change the peer supporter for %(name)s"),
        intro=_("The change is kept in the engagement's history with its reason."),
        anchor="",
        done_message=_("Peer supporter changed; the new supporter has been told."),
        submit_label=_("Change supporter"),
    )
