from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.breakglass.services import (
    MAX_COMMENT_LENGTH,
    MAX_REASON_LENGTH,
    MIN_REASON_LENGTH,
)


class EmergencyAccessForm(forms.Form):
    """Who (exactly: a record number, or full name and date of birth) and why."""

    record_number = forms.IntegerField(
        label=_("Record number"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The participant's number in Alongside, if you have it."),
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Why must this record be opened now?"),
        min_length=MIN_REASON_LENGTH,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The organization's admin reviews every emergency access, and the participant "
            "sees this reason in their access history."
        ),
    )

    def clean(self):
        data = super().clean()
        has_number = data.get("record_number") is not None
        has_person = all(data.get(f) for f in ("first_name", "last_name", "date_of_birth"))
        if not has_number and not has_person:
            raise forms.ValidationError(
                _("Give the record number, or the first name, last name and date of birth.")
            )
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you checked, and whether the access was justified."),
    )
