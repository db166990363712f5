from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.assessments.models import Tier


class AssessmentForm(forms.Form):
    tier = forms.TypedChoiceField(
        label=_("Tier"), choices=Tier.choices, coerce=int, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Why this tier"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    ongoing_plan = forms.CharField(
        label=_("Ongoing plan"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Stay the course, change focus, or change the amount of time; and when to re-assess."
        ),
    )
    assessed_on = forms.DateField(
        label=_("Assessed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
