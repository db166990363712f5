from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.agreements.models import DocumentTemplate, SignerRole
from alongside.agreements.services import signature_png_decode
from alongside.core.errors import RuleViolation


class PaperSignatureForm(forms.Form):
    """Staff record a document signed on paper, printed from the current version."""

    template = forms.ModelChoiceField(
        label=_("Document"), queryset=DocumentTemplate.objects.none()
    )
    signer_name = forms.CharField(label=_("Name as signed"), max_length=200)
    role = forms.ChoiceField(label=_("Signed as"), choices=SignerRole.choices)
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, templates, signer_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["signer_name"].initial = signer_name
        self.fields["signed_on"].initial = timezone.localdate()


class SignForm(forms.Form):
    """The participant signs: the version and hash they were shown, their name, password."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    document_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    typed_name = forms.CharField(
        label=_("Type your full name to sign"), max_length=200, strip=True
    )
    password = forms.CharField(
        label=_("Your password, to confirm it is you"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Try again."))
        return password


def portal_sign_in(participant):
    """The participant's own portal user if they can sign in with a password, else None."""
    user = participant.user
    if user is not None and user.is_active and user.has_usable_password():
        return user
    return None


class InPersonSignForm(forms.Form):
    """The participant signs on the supporter's device: typed name, a drawing, a password.

    The password is the participant's own if they have a portal sign-in; otherwise the
    supporter re-enters theirs to attest they checked the participant's identity in person.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    document_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    typed_name = forms.CharField(label=_("Full name, typed to sign"), max_length=200, strip=True)
    # Filled by signature-pad.js; without script the typed name alone signs.
    drawn_signature = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        strip=False,
    )

    def __init__(self, *args, participant, supporter, **kwargs):
        super().__init__(*args, **kwargs)
        self.signer = portal_sign_in(participant)
        self.confirmer = self.signer or supporter
        if self.signer is not None:
            self.fields["password"].label = _("%(name)s, enter your own portal password") % {
                "name": participant.first_name or participant
            }
            self.fields["password"].help_text = _(
                "This confirms it is you signing. The supporter should look away."
            )
        else:
            self.fields["password"].label = _("Your own password (%(user)s)") % {"user": supporter}
            self.fields["password"].help_text = _(
                "%(name)s has no portal sign-in. By entering your password you attest that "
                "you checked their identity in person."
            ) % {"name": participant}

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.confirmer.check_password(password):
            if self.signer is not None:
                raise forms.ValidationError(_("That is not the participant's portal password."))
            raise forms.ValidationError(_("That is not your password. Try again."))
        return password

    def clean(self):
        data = super().clean()
        try:
            data["signature_png"] = signature_png_decode(data.get("drawn_signature", ""))
        except RuleViolation as refusal:
            raise forms.ValidationError(refusal.message) from None
        return data
