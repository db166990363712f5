from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.meetings.models import MeetingStatus, Mode


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=1, max_value=1440, initial=60
    )
    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices, initial=Mode.IN_PERSON)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(MeetingStatus.HELD, _("It happened")), (MeetingStatus.PLANNED, _("Planned"))],
        initial=MeetingStatus.HELD,
        widget=forms.RadioSelect,
    )
    note_body = forms.CharField(
        label=_("Note (staff only)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was talked about, goals touched, readiness you noticed."),
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
