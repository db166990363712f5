"""Signing forms: on paper (recorded by staff), in the portal, and in person.

A password confirms who signs. Wrong passwords are counted per account (the
``SIGNING_PASSWORD_*`` settings: 5 in 15 minutes); past the limit the form refuses
without checking, so the signing pages cannot be used to guess a password.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.agreements.drawn import signature_png_decode
from alongside.agreements.models import DocumentTemplate, SignerRole
from alongside.agreements.scans import SCAN_MAX_BYTES, SCAN_TYPES
from alongside.agreements.selectors import PARTICIPANT_SIDE
from alongside.core import ratelimit
from alongside.core.errors import RuleViolation

FILL_PREFIX = "fill_"


def _fill_field(field: dict) -> forms.Field:
    label, required = field["label"], field["required"]
    if field["kind"] == "date":
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if field["kind"] == "yesno":
        choices = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
        return forms.ChoiceField(label=label, required=required, choices=choices)
    if field["kind"] == "long":
        return forms.CharField(
            label=label, required=required, max_length=2000, widget=forms.Textarea({"rows": 3})
        )
    return forms.CharField(label=label, required=required, max_length=200)


class FillsFields:
    """Adds the version's fields to fill (``fill_<key>``) and gives them back by key."""

    def add_fill_fields(self, version) -> None:
        for field in version.fields if version else ():
            self.fields[FILL_PREFIX + field["key"]] = _fill_field(field)

    @property
    def fill_fields(self):
        return [self[name] for name in self.fields if name.startswith(FILL_PREFIX)]

    def values(self) -> dict:
        return {
            name[len(FILL_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(FILL_PREFIX)
        }


class ConfirmsWithPassword:
    """``clean_password`` checks ``self.confirmer``'s password, counting the failures."""

    throttled = False
    wrong_password = _("That is not your password. Try again.")

    def clean_password(self):
        password = self.cleaned_data["password"]
        key = f"signing-password:{self.confirmer.pk}"
        limit, window = settings.SIGNING_PASSWORD_FAILURES, settings.SIGNING_PASSWORD_WINDOW
        if ratelimit.exceeded(key, limit, window):
            self.throttled = True
            raise forms.ValidationError(
                _("Too many wrong passwords. Wait %(minutes)d minutes, then try again.")
                % {"minutes": window // 60}
            )
        if not self.confirmer.check_password(password):
            ratelimit.hit(key, limit, window)
            raise forms.ValidationError(self.wrong_password)
        return password


SIGNING_FORM_SALT = "alongside.agreements.signing-form"


def opening_token(*, engagement, version, role: str, user) -> str:
    """Signed when the page is shown: this engagement, version, role and user, and when."""
    value = f"{engagement.pk}:{version.pk}:{role}:{user.pk}"
    return signing.TimestampSigner(salt=SIGNING_FORM_SALT).sign(value)


class OpenedHere(forms.Form):
    """What every signing form shares: the version and hash shown, and when it was shown.

    ``opened`` (``opening_token``) must come back unchanged, for the same engagement,
    version, role and user, within ``SIGNING_FORM_MAX_AGE`` seconds: a form kept open
    too long, copied to another engagement or replayed by someone else is refused.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    document_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    opened = forms.CharField(widget=forms.HiddenInput, max_length=200, required=False)

    def __init__(self, *args, engagement, role: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.engagement, self.role, self.user = engagement, role, user

    def clean(self):
        data = super().clean()
        if "version" not in data:
            return data
        expected = f"{self.engagement.pk}:{data['version']}:{self.role}:{self.user.pk}"
        signer = signing.TimestampSigner(salt=SIGNING_FORM_SALT)
        try:
            opened = signer.unsign(data.get("opened", ""), max_age=settings.SIGNING_FORM_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _(
                    "This page was opened more than %(minutes)d minutes ago. Read the "
                    "document again, then sign."
                )
                % {"minutes": settings.SIGNING_FORM_MAX_AGE // 60}
            ) from None
        except signing.BadSignature:
            opened = None
        if opened != expected:
            raise forms.ValidationError(
                _("This signing form does not belong to this page. Open the document again.")
            )
        return data


class PaperSignatureForm(forms.Form):
    """Staff record a document signed on paper, printed from the current version."""

    template = forms.ModelChoiceField(
        label=_("Document"), queryset=DocumentTemplate.objects.none()
    )
    signer_name = forms.CharField(label=_("Name as signed"), max_length=200)
    role = forms.ChoiceField(label=_("Signed as"), choices=SignerRole.choices)
    relationship = forms.CharField(
        label=_("Guardian's relationship or authority"),
        max_length=200,
        required=False,
        help_text=_("Only when a guardian or representative signed."),
    )
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    scan = forms.FileField(
        label=_("Scan of the signed paper (optional)"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most %(mb)d MB. Kept privately with the record.")
        % {"mb": SCAN_MAX_BYTES // 2**20},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(SCAN_TYPES))}),
    )

    def __init__(self, *args, templates, signer_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["signer_name"].initial = signer_name
        self.fields["signed_on"].initial = timezone.localdate()


class SignForm(FillsFields, ConfirmsWithPassword, OpenedHere):
    """The participant signs in the portal: what they were shown, their name, password."""

    typed_name = forms.CharField(
        label=_("Type your full name to sign"), max_length=200, strip=True
    )
    password = forms.CharField(
        label=_("Your password, to confirm it is you"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )

    def __init__(self, *args, engagement, user, version, **kwargs):
        super().__init__(
            *args, engagement=engagement, role=SignerRole.PARTICIPANT, user=user, **kwargs
        )
        self.confirmer = user
        self.add_fill_fields(version)
        # The fields to fill come before the name and password that sign them.
        self.order_fields([f.name for f in self.fill_fields] + ["typed_name", "password"])


def portal_sign_in(participant):
    """The participant's own portal user if they can sign in with a password, else None."""
    user = participant.user
    if user is not None and user.is_active and user.has_usable_password():
        return user
    return None


class InPersonSignForm(FillsFields, ConfirmsWithPassword, OpenedHere):
    """Someone signs on the supporter's device: typed name, a drawing, a password.

    The participant confirms with their own portal password if they have one; otherwise,
    and for a guardian or witness, the supporter re-enters theirs to attest they checked
    the signer's identity in person. The supporter signing as supporter enters their own.
    """

    typed_name = forms.CharField(label=_("Full name, typed to sign"), max_length=200, strip=True)
    relationship = forms.CharField(
        label=_("Relationship or authority (for example: parent, court-appointed guardian)"),
        max_length=200,
    )
    # Filled by signature-pad.js; without script the typed name alone signs.
    drawn_signature = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        strip=False,
    )

    def __init__(self, *args, engagement, supporter, role, version, **kwargs):
        super().__init__(*args, engagement=engagement, role=role, user=supporter, **kwargs)
        participant = engagement.participant
        self.signer = portal_sign_in(participant) if role == SignerRole.PARTICIPANT else None
        if role == SignerRole.SUPPORTER:
            self.signer = supporter
        self.confirmer = self.signer or supporter
        if role != SignerRole.GUARDIAN:
            del self.fields["relationship"]
        if role in PARTICIPANT_SIDE:
            self.add_fill_fields(version)
        password = self.fields["password"]
        if self.signer is not None and role == SignerRole.PARTICIPANT:
            password.label = _("%(name)s, enter your own portal password") % {
                "name": participant.first_name or participant
            }
            password.help_text = _(
                "This confirms it is you signing. The supporter should look away."
            )
            self.wrong_password = _("That is not the participant's portal password.")
        elif role == SignerRole.SUPPORTER:
            password.label = _("Your password (%(user)s), to confirm it is you") % {
                "user": supporter
            }
        else:
            password.label = _("Your own password (%(user)s)") % {"user": supporter}
            password.help_text = _(
                "By entering your password you attest that you checked the identity of the "
                "person signing, in person."
            )
            if role == SignerRole.PARTICIPANT:
                password.help_text = _(
                    "%(name)s has no portal sign-in. By entering your password you attest "
                    "that you checked their identity in person."
                ) % {"name": participant}

    def clean(self):
        data = super().clean()
        try:
            data["signature_png"] = signature_png_decode(data.get("drawn_signature", ""))
        except RuleViolation as refusal:
            raise forms.ValidationError(refusal.message) from None
        return data
