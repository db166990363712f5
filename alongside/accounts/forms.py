from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import (
    LANGUAGE_CHOICES,
    AvailabilityWindow,
    PeerSupporterProfile,
    experience_choices,
)


class SupporterProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages I support people in"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    lived_experience = forms.MultipleChoiceField(
        label=_("My lived experience"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    locations_served = forms.CharField(
        label=_("Places I meet people"),
        required=False,
        max_length=500,
        help_text=_("Towns or neighborhoods, separated by commas."),
    )

    class Meta:
        model = PeerSupporterProfile
        fields = [
            "languages",
            "lived_experience",
            "gender",
            "age_band",
            "locations_served",
            "travel_radius_miles",
            "remote_only",
            "accepting",
        ]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lived_experience"].choices = experience_choices(organization)
        if self.instance.pk and not self.is_bound:
            self.initial["locations_served"] = ", ".join(self.instance.locations_served)

    def clean_locations_served(self) -> list[str]:
        raw = self.cleaned_data.get("locations_served") or ""
        places = [p.strip() for p in raw.split(",") if p.strip()]
        if any(len(p) > 80 for p in places):
            raise forms.ValidationError(_("Keep each place under 80 characters."))
        return places


AvailabilityFormSet = forms.inlineformset_factory(
    PeerSupporterProfile,
    AvailabilityWindow,
    fields=["weekday", "starts", "ends"],
    widgets={
        "starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        "ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    },
    extra=2,
    max_num=21,
    validate_max=True,
    can_delete=True,
)


class CodeForm(forms.Form):
    """A code from the authenticator app (six digits) or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].label = _("Recovery code")
        else:
            self.fields["code"].label = _("Six-digit code from your app")
            self.fields["code"].widget.attrs.update(inputmode="numeric", pattern="[0-9 ]*")


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm it is you"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
