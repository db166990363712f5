"""The participant's own forms in the portal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.plans.models import Rating


class PortalCheckInForm(forms.Form):
    """A check-in in the participant's words: dated today, so no date to get wrong."""

    rating = forms.TypedChoiceField(
        label=_("How far along does it feel?"),
        choices=[(value, f"{value} · {label}") for value, label in Rating.choices],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how far along it feels, from 1 to 5.")},
    )
    note = forms.CharField(
        label=_("Anything you want to add (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What helped, what got in the way. Your peer supporter reads it."),
    )
