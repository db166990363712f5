"""The pages where participant and peer supporter sign a text (formal plans, assessments):
the signing form, whose password confirms who signs, and what refuses the page.

The rules and the saved signature live in ``engagements.signers``; each app keeps its
own service, template and wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.agreements.forms import ConfirmsWithPassword, portal_sign_in
from alongside.core.ratelimit import client_address
from alongside.core.web import attempt, form_status
from alongside.engagements.selectors import closed_notice
from alongside.engagements.signers import SUPPORTER


class Confirmation(NamedTuple):
    """Who signs (None: a participant without a sign-in) and whose password confirms it."""

    signer: object
    confirmer: object
    password_label: str


class SignsShownText(ConfirmsWithPassword, forms.Form):
    """Sign the text shown: its hash, a typed name, and a password that confirms who.

    ``confirmation`` says whose password confirms (``in_person_confirmation``,
    ``portal_confirmation``) and how the password field asks for it.
    ``opened`` (``token``) must come back unchanged, for the same record, role and user,
    within ``SIGNING_FORM_MAX_AGE`` seconds. Subclasses name the hidden hash field, the
    token's salt, and the two refusals in their own words.
    """

    hash_field = "text_hash"
    salt = ""
    expired_message = ""
    foreign_message = ""

    opened = forms.CharField(widget=forms.HiddenInput, max_length=200, required=False)
    typed_name = forms.CharField(label=gettext_lazy("Full name, typed to sign"), max_length=200)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False
    )

    def __init__(self, *args, record, role: str, user, confirmation: Confirmation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.hash_field] = forms.CharField(widget=forms.HiddenInput, max_length=64)
        self.order_fields([self.hash_field])
        self.record, self.role, self.user = record, role, user
        self.confirmer = confirmation.confirmer
        self.fields["password"].label = confirmation.password_label

    @classmethod
    def token(cls, record, role: str, user) -> str:
        """Signed when the signing page is shown: this record, role and user, and when."""
        return signing.TimestampSigner(salt=cls.salt).sign(f"{record.pk}:{role}:{user.pk}")

    def show(self) -> None:
        """The hidden fields carry the text now shown and a fresh token; the password goes."""
        shown = {
            self.hash_field: self.record.sha256,
            "opened": self.token(self.record, self.role, self.user),
        }
        if self.is_bound:
            self.data = self.data.copy()
            self.data.update(shown)
            self.data["password"] = ""
        else:
            self.initial = shown

    def clean(self):
        data = super().clean()
        expected = f"{self.record.pk}:{self.role}:{self.user.pk}"
        signer = signing.TimestampSigner(salt=self.salt)
        try:
            opened = signer.unsign(data.get("opened", ""), max_age=settings.SIGNING_FORM_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(self.expired_message) from None
        except signing.BadSignature:
            opened = None
        if opened != expected:
            raise forms.ValidationError(self.foreign_message)
        return data


def in_person_confirmation(role: str, participant, user) -> Confirmation:
    """On the team's device: the supporter signs with their own password; the participant
    with their portal password, or, without a portal sign-in, the supporter's password
    attests that they checked the participant's identity in person."""
    if role == SUPPORTER:
        label = _("Your password (%(user)s), to confirm it is you") % {"user": user}
        return Confirmation(user, user, label)
    signer = portal_sign_in(participant)
    if signer:
        label = _("%(name)s, enter your own portal password") % {"name": participant.first_name}
    else:
        label = _(
            "%(name)s has no portal sign-in. Your own password (%(user)s): by entering "
            "it you attest that you checked their identity in person."
        ) % {"name": participant, "user": user}
    return Confirmation(signer, signer or user, label)


def portal_confirmation(user) -> Confirmation:
    """In the portal the participant signs as themselves, with their own password."""
    return Confirmation(user, user, _("Your password, to confirm it is you"))


def sign_refusal(
    engagement, role: str, user, record_refusal: Callable[[], str] | None = None
) -> str:
    """Why the page cannot sign now, or "": the engagement is closed, the record's own
    reason (``record_refusal``, asked only while open), or someone other than the
    engagement's peer supporter signing as supporter."""
    if engagement.is_closed:
        return closed_notice(engagement)
    refusal = record_refusal() if record_refusal else ""
    if refusal:
        return refusal
    if role == SUPPORTER and engagement.supporter_id != user.pk:
        return _("Only the engagement's peer supporter, %(name)s, signs as supporter.") % {
            "name": engagement.supporter
        }
    return ""


def sign_status(request, form: ConfirmsWithPassword, blocked: str | None) -> int:
    """The status a signing page answers: 429 after too many password tries, else as every
    form page (``form_status``: 409 closed or refused, 400 bad input)."""
    return 429 if form.throttled else form_status(request, form, blocked)


def sign_posted(request, form: SignsShownText, sign, *, role: str, signer, method: str, blocked):
    """On a valid POST that nothing blocks, sign through ``sign`` (the app's service with its
    record bound) and give the signature; None when nothing was signed. After a refusal
    the record is read again, so the page shows it as it now is."""
    if request.method != "POST" or blocked or not form.is_valid():
        return None
    signature = attempt(
        form,
        lambda: sign(
            role=role,
            typed_name=form.cleaned_data["typed_name"],
            shown_hash=form.cleaned_data[form.hash_field],
            actor=request.user,
            signer=signer,
            method=method,
            ip=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        ),
    )
    if signature is None:
        form.record.refresh_from_db()
    return signature
