from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.plans.models import Goal


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["statement", "wellness_dimension", "measure"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"statement": _("Write it the way the participant says it.")}


class GoalEditForm(GoalForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(GoalForm.Meta):
        fields = ["statement", "wellness_dimension", "measure", "status"]
