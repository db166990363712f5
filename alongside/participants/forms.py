from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.participants.models import (
    DETAIL_FIELDS,
    OWN_DETAIL_FIELDS,
    Participant,
    RaceEthnicity,
)


class ParticipantEditForm(forms.ModelForm):
    """A person's details after intake; ``version`` is the one the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    race_ethnicity = forms.MultipleChoiceField(
        label=_("Race and ethnicity"),
        choices=RaceEthnicity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional; any that apply, as they describe themselves."),
    )

    class Meta:
        model = Participant
        fields = list(DETAIL_FIELDS)
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "preferred_name": _("The name to use with them, if not their first name."),
            "phone": _("With its area code, for example 555-123-4567."),
            "gender": _("Optional, as they describe themselves; for funder reports."),
        }


class OwnDetailsForm(ParticipantEditForm):
    """What a participant keeps current themselves in the portal: how to reach them and
    how to address them (names, birth date and demographics stay with their team)."""

    race_ethnicity = None

    class Meta(ParticipantEditForm.Meta):
        fields = list(OWN_DETAIL_FIELDS)
        labels = {"preferred_name": _("The name you like to be called")}
        help_texts = {"phone": _("With its area code, for example 555-123-4567.")}


class PortalInviteForm(forms.Form):
    username = forms.CharField(label=_("Username for the participant"), max_length=150)
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Give it to them in person; they can change it."),
    )
    password_again = forms.CharField(
        label=_("First password, again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
