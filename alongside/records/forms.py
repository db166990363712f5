"""The note a coordinator keeps of a participant's request for their record."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.records.services import NOTE_MAX_LENGTH, PARTICIPANT, REPRESENTATIVE, Format


class RecordRequestForm(forms.Form):
    fmt = forms.ChoiceField(
        label=_("Download as"),
        choices=[
            (Format.PDF, _("A readable PDF")),
            (Format.FHIR, _("A FHIR R4 Bundle (JSON), for another system")),
        ],
        initial=Format.PDF,
        widget=forms.RadioSelect,
    )
    requested_by = forms.ChoiceField(
        label=_("Who asked"),
        choices=[
            (PARTICIPANT, _("The participant")),
            (REPRESENTATIVE, _("Their guardian or authorized representative")),
        ],
        initial=PARTICIPANT,
        widget=forms.RadioSelect,
    )
    requested_on = forms.DateField(
        label=_("Asked on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note of the request"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who asked, how (in person, by phone, in writing) and anything agreed."),
    )

    def clean_requested_on(self):
        value = self.cleaned_data["requested_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The request cannot be dated in the future."))
        return value


class RetentionConfirmForm(forms.Form):
    """Confirms the purge the dry run showed; the fingerprint names that exact set."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I have checked the list: delete these records for good."),
        required=True,
    )
