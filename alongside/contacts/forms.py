from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.contacts.models import Channel, Initiator

_DATETIME = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
}


class ContactForm(forms.Form):
    occurred_at = forms.DateTimeField(label=_("When"), **_DATETIME)
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices, initial=Channel.PHONE)
    initiated_by = forms.ChoiceField(
        label=_("Who reached out"),
        choices=Initiator.choices,
        initial=Initiator.PARTICIPANT,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (staff only)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A line or two; the participant never sees it."),
    )
    callback_requested = forms.BooleanField(label=_("They asked for a call-back"), required=False)
    callback_requested_at = forms.DateTimeField(
        label=_("Call-back asked for at"),
        required=False,
        help_text=_("Leave empty if it was asked for during this contact."),
        **_DATETIME,
    )


class CallbackReturnForm(forms.Form):
    returned_at = forms.DateTimeField(
        label=_("Returned at"),
        required=False,
        help_text=_("Leave empty for now."),
        **_DATETIME,
    )
