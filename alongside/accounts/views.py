"""Choosing the organization to work in, and a supporter's own profile.

Sign-in, sign-out and password change are Django's own views.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from alongside.accounts import services
from alongside.accounts.forms import AvailabilityFormSet, SupporterProfileForm
from alongside.accounts.models import Membership, PeerSupporterProfile
from alongside.core.decorators import capability_required
from alongside.core.middleware import SESSION_ORGANIZATION_KEY
from alongside.core.permissions import Cap, get_or_404
from alongside.core.web import attempt


class OrganizationForm(forms.Form):
    organization = forms.TypedChoiceField(label=gettext_lazy("Organization"), coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = (
            Membership.objects.filter(user=user)
            .values_list("organization_id", "organization__name")
            .distinct()
            .order_by("organization__name")
        )
        self.fields["organization"].choices = list(orgs)


@login_required
@require_http_methods(["GET", "POST"])
def organization_switch(request):
    form = OrganizationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_ORGANIZATION_KEY] = form.cleaned_data["organization"]
        return redirect("home")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": _("Choose an organization"), "submit_label": _("Switch")},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PROFILE_EDIT)
def supporter_profile(request):
    """What matching knows about me: languages, experience, places, availability."""
    profile = get_or_404(
        PeerSupporterProfile.objects.filter(organization=request.organization),
        user=request.user,
    )
    form = SupporterProfileForm(
        request.POST or None, instance=profile, organization=request.organization
    )
    windows = AvailabilityFormSet(request.POST or None, instance=profile, prefix="window")
    if request.method == "POST" and form.is_valid() and windows.is_valid():
        kept = [
            (f.cleaned_data["weekday"], f.cleaned_data["starts"], f.cleaned_data["ends"])
            for f in windows.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        profile.refresh_from_db()
        saved = attempt(
            form,
            lambda: services.supporter_profile_update(
                profile=profile, actor=request.user, windows=kept, **changes
            ),
        )
        if saved is not None:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "windows": windows, "profile": profile},
    )
