from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.teamplans.models import Channel, TeamPlanWorksheet


class WorksheetForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    channels = forms.MultipleChoiceField(
        label=_("Ways to keep in touch"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TeamPlanWorksheet
        fields = [
            "channels",
            "days_and_hours",
            "frequency",
            "language",
            "messages_ok",
            "boundaries",
        ]
        widgets = {"boundaries": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "days_and_hours": _("For example: weekdays 10–4, not Sunday mornings."),
            "frequency": _("For example: once a week, more often in hard weeks."),
            "messages_ok": _("Voicemail or a text may be left when no one answers."),
            "boundaries": _("One per line: what you both agree on."),
        }


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
