"""Intake and screening forms."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import LivedExperience
from alongside.participants.models import Participant
from alongside.referrals.models import Referral


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "preferred_language",
            "phone",
            "email",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born


class ReferralForm(forms.ModelForm):
    lived_experience_wanted = forms.MultipleChoiceField(
        label=_("Lived experience that matters to them"),
        choices=LivedExperience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Referral
        fields = [
            "program",
            "source",
            "source_detail",
            "needs",
            "preferred_language",
            "supporter_gender_preference",
            "lived_experience_wanted",
            "urgency",
            "contact_channel",
            "contact_notes",
        ]
        widgets = {"needs": forms.Textarea(attrs={"rows": 4})}
        labels = {"supporter_gender_preference": _("Supporter gender preference (if any)")}

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs


class ScreenForm(forms.Form):
    DECISIONS = [
        ("accept", _("Accept: look for a match")),
        ("waitlist", _("Waitlist")),
        ("decline", _("Decline")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    priority = forms.IntegerField(
        label=_("Waitlist priority (1 highest, 5 lowest)"),
        min_value=1,
        max_value=5,
        initial=3,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the referral is declined."))
        return data
