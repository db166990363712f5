"""Choosing a peer supporter for a referral from a ranked, explained list."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.accounts.models import User
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.core.web import attempt
from alongside.matching import services
from alongside.referrals.selectors import referral_get_for


class MatchForm(forms.Form):
    supporter = forms.IntegerField(widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MATCHING_ASSIGN)
def suggest(request, pk: int):
    referral = referral_get_for(request.user, request.organization, pk)
    form = MatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supporter = User.objects.filter(pk=form.cleaned_data["supporter"]).first()
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
