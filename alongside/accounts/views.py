"""Choosing the organization to work in (sign-in and out are Django's own views)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from alongside.accounts.models import Membership
from alongside.core.middleware import SESSION_ORGANIZATION_KEY


class OrganizationForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int)

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
