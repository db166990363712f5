from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.meetings.models import MeetingStatus, Mode, PlaceType

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

REMINDER_CHOICES = [
    ("", _("No reminder")),
    (30, _("30 minutes before")),
    (60, _("1 hour before")),
    (180, _("3 hours before")),
    (1440, _("1 day before")),
    (2880, _("2 days before")),
]


def _starts_at() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


def _reminder() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Remind the participant"),
        choices=REMINDER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Sent only in the ways and at the hours agreed in the team plan worksheet."),
    )


class SaveAnywayMixin(forms.Form):
    """A "save anyway" box that shows only once a clash has been found."""

    save_anyway = forms.BooleanField(
        label=_("Save anyway, I know about the other meeting"),
        required=False,
        widget=forms.HiddenInput,
    )

    def reveal_save_anyway(self) -> None:
        self.fields["save_anyway"].widget = forms.CheckboxInput()


class MeetingForm(SaveAnywayMixin, forms.Form):
    starts_at = _starts_at()
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=1, max_value=1440, initial=60
    )
    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices, initial=Mode.IN_PERSON)
    place_type = forms.ChoiceField(
        label=_("Where"),
        choices=[("", _("Choose where")), *PlaceType.choices],
        required=False,
        help_text=_("Needed for a planned meeting."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(MeetingStatus.HELD, _("It happened")), (MeetingStatus.PLANNED, _("Planned"))],
        initial=MeetingStatus.HELD,
        widget=forms.RadioSelect,
    )
    reminder_minutes = _reminder()
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
    field_order = [
        "status",
        "starts_at",
        "duration_minutes",
        "mode",
        "place_type",
        "reminder_minutes",
        "note_body",
        "next_steps",
        "save_anyway",
    ]


class RescheduleForm(SaveAnywayMixin, forms.Form):
    starts_at = _starts_at()
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=1, max_value=1440)
    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices)
    place_type = forms.ChoiceField(label=_("Where"), choices=PlaceType.choices)
    reminder_minutes = _reminder()
    version = forms.IntegerField(widget=forms.HiddenInput)
    field_order = ["starts_at", "duration_minutes", "mode", "place_type", "reminder_minutes"]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Stays with the team; the participant sees only that it was cancelled."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened?"),
        choices=[
            (MeetingStatus.HELD, _("We met")),
            (MeetingStatus.MISSED, _("The participant did not come (no-show)")),
        ],
        widget=forms.RadioSelect,
    )
    duration_minutes = forms.IntegerField(
        label=_("How long it really ran (minutes)"),
        min_value=1,
        max_value=1440,
        required=False,
    )
    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == MeetingStatus.HELD and not data.get("duration_minutes"):
            self.add_error("duration_minutes", _("Say how long the meeting ran."))
        return data
