from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.exits.models import ExitReason


class ExitStartForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why support is ending"), choices=ExitReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Notes on the ending"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExitCompleteForm(forms.Form):
    note = forms.CharField(
        label=_("How the ending went"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Include how the participant can return to support if they wish."),
    )
