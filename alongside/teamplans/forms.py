import calendar

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
    contact_days = forms.TypedMultipleChoiceField(
        label=_("Days that suit"),
        choices=[(n, _(calendar.day_name[n])) for n in range(7)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: any day. Reminders wait for these days and hours."),
    )

    class Meta:
        model = TeamPlanWorksheet
        fields = [
            "channels",
            "contact_days",
            "contact_from",
            "contact_until",
            "days_and_hours",
            "frequency",
            "language",
            "messages_ok",
            "reminders_ok",
            "boundaries",
        ]
        widgets = {
            "boundaries": forms.Textarea(attrs={"rows": 5}),
            "contact_from": forms.TimeInput(attrs={"type": "time"}),
            "contact_until": forms.TimeInput(attrs={"type": "time"}),
        }
        labels = {
            "contact_from": _("Agreed hours: from"),
            "contact_until": _("until"),
            "days_and_hours": _("Anything else about days and hours"),
        }
        help_texts = {
            "contact_until": _("Empty both: any time. 20:00 until 08:00 runs overnight."),
            "days_and_hours": _("For example: not Sunday mornings; later on paydays."),
            "frequency": _("For example: once a week, more often in hard weeks."),
            "messages_ok": _("Voicemail or a text may be left when no one answers."),
            "boundaries": _("One per line: what you both agree on."),
        }


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
