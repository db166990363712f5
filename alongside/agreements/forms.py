from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.agreements.models import DocumentTemplate, SignerRole


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
