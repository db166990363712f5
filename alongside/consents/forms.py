"""Forms for consents and disclosures. The domain (services) names each missing element."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.consents.models import (
    Category,
    Purpose,
    RecipientKind,
    Relationship,
    RevocationMethod,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsentForm(forms.Form):
    """The elements of an Authorization to Release Information, in the order of the form."""

    discloser = forms.CharField(
        label=_("Who may release the information"),
        max_length=300,
        required=False,
        help_text=_("The program or organization, by name or general designation."),
    )
    categories = forms.MultipleChoiceField(
        label=_("What kind of information"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_description = forms.CharField(
        label=_("Other information, described"), max_length=500, required=False
    )
    amount = forms.CharField(
        label=_("How much information"),
        max_length=500,
        required=False,
        help_text=_("For example: “the last six months”, “a summary only”, “dates only”."),
    )
    recipient_kind = forms.ChoiceField(
        label=_("Who may receive it"),
        choices=RecipientKind.choices,
        widget=forms.RadioSelect,
        initial=RecipientKind.NAMED,
        required=False,
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        max_length=300,
        required=False,
        help_text=_(
            "A person or organization, by name. Needed unless a general designation is chosen."
        ),
    )
    purposes = forms.MultipleChoiceField(
        label=_("For what purpose"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose_detail = forms.CharField(label=_("Purpose, in words"), max_length=500, required=False)
    covers_tpo = forms.BooleanField(
        label=_("This consent covers treatment, payment and health care operations"),
        required=False,
        help_text=_("The two statements below then become part of the consent."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DATE,
        required=False,
        help_text=_("It stops covering disclosures at the start of this day."),
    )
    expiry_event = forms.CharField(
        label=_("Or expires upon (event or condition)"),
        max_length=500,
        required=False,
        help_text=_("For example: “when my support with this program ends”."),
    )
    signature_name = forms.CharField(
        label=_("Signed by (full name, as signed)"), max_length=200, required=False
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE, required=False)
    signed_by_guardian = forms.BooleanField(
        label=_("Signed by a guardian or authorized representative"), required=False
    )
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=200, required=False)
    guardian_relationship = forms.CharField(
        label=_("Guardian's relationship or authority"), max_length=200, required=False
    )

    def elements(self) -> dict:
        """The cleaned data as consent_create's keyword arguments."""
        data = dict(self.cleaned_data)
        data["recipient_kind"] = data.get("recipient_kind") or ""
        return data


class PortalConsentForm(ConsentForm):
    """The participant signs it themselves, today, in the portal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["discloser"]
        del self.fields["signed_on"]
        self.fields["signature_name"].label = _("Type your full name to sign")


class StaffRevokeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How"),
        choices=[
            (RevocationMethod.WRITTEN, RevocationMethod.WRITTEN.label),
            (RevocationMethod.CONDITION, RevocationMethod.CONDITION.label),
        ],
        widget=forms.RadioSelect,
        initial=RevocationMethod.WRITTEN,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("For example: “Letter received 3 March, kept in the paper file”."),
    )


class DisclosureForm(forms.Form):
    recipient_name = forms.CharField(label=_("Recipient"), max_length=300)
    recipient_relationship = forms.ChoiceField(
        label=_("The recipient is"), choices=Relationship.choices, initial=Relationship.OTHER
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    categories = forms.MultipleChoiceField(
        label=_("What kind of information"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    content = forms.CharField(
        label=_("The information to release"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("Release only what the consent covers and the purpose needs."),
    )
