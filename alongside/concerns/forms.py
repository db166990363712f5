from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.concerns.models import Category, ConcernStatus, ConcernUrgency


class ConcernForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=ConcernUrgency.choices,
        initial=ConcernUrgency.NORMAL,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A coordinator reads every concern. If you are in danger now, call 988 or 911."
        ),
    )


class ConcernUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConcernStatus.choices)
    resolution = forms.CharField(
        label=_("Actions and resolution"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
