from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.engagements.models import State


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=State.choices)
    reason = forms.CharField(
        label=_("Why"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, State(s).label) for s in allowed]


class ExtendForm(forms.Form):
    until = forms.DateField(
        label=_("Extend the guideline until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why support goes on"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the extension and shown on the engagement's timeline."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
