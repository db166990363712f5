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
