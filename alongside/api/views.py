"""Pages where a signed-in person manages their own API tokens (issue 7).

Any signed-in person may: a token can never do more than its owner, and the API already
gives one to anyone who signs in. The raw token is shown once, in the answer to the form
that created it, and kept nowhere (not even in the session).
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from alongside.api import services
from alongside.api.models import Scope
from alongside.core.permissions import get_or_404
from alongside.core.web import attempt, form_status

NEVER = "never"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=services.NAME_MAX_LENGTH,
        help_text=gettext_lazy("What it is for, e.g. “monthly report script”."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it may do"),
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Give it no more than it needs."),
    )
    expiry = forms.ChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            *[
                (str(days), gettext_lazy("in %(days)d days") % {"days": days})
                for days in services.PERSONAL_LIFETIMES_DAYS
            ],
            (NEVER, gettext_lazy("never")),
        ],
        initial=str(services.PERSONAL_DEFAULT_DAYS),
    )

    def expires_at(self):
        choice = self.cleaned_data["expiry"]
        return None if choice == NEVER else timezone.now() + timedelta(days=int(choice))


@login_required
@require_http_methods(["GET"])
def token_list(request):
    return render(
        request,
        "api/token_list.html",
        {"tokens": services.api_tokens_of(request.user), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_create(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires_at = form.expires_at()
        raw = attempt(
            form,
            lambda: services.api_token_issue(
                user=request.user, name=data["name"], scopes=data["scopes"], expires_at=expires_at
            ),
        )
        if raw is not None:
            # Answered here, not after a redirect: the raw value must not be kept anywhere.
            return render(
                request,
                "api/token_created.html",
                {
                    "raw": raw,
                    "name": data["name"],
                    "scopes": [label for value, label in Scope.choices if value in data["scopes"]],
                    "expires_at": expires_at,
                },
            )
    return render(
        request, "api/token_form.html", {"form": form}, status=form_status(request, form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int):
    token = get_or_404(services.api_tokens_of(request.user), pk=pk)
    if request.method == "POST":
        services.api_token_revoke(token=token, actor=request.user)
        if token.name:
            messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        else:
            messages.success(request, _("The token is revoked."))
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
