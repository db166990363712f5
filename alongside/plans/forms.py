"""Forms for goals, their steps and check-ins, and plans (with their signing form)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.engagements.signing import SignsShownText
from alongside.plans.models import (
    ActionStep,
    Approach,
    CheckIn,
    Goal,
    Plan,
    PlanStyle,
    Rating,
    Stage,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.ModelForm):
    stage_note = forms.CharField(
        label=_("What shows this stage (optional)"),
        max_length=500,
        required=False,
        help_text=_("For example, what they said. Kept with the stage history."),
    )

    class Meta:
        model = Goal
        fields = [
            "statement",
            "approach",
            "wellness_dimension",
            "why_it_matters",
            "strengths",
            "measure",
            "stage",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "approach": forms.RadioSelect,
            "why_it_matters": forms.Textarea(attrs={"rows": 2}),
            "strengths": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "statement": _("Write it the way the participant says it."),
            "stage": _("Where they are with this goal now. Staying with exploring is fine."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approach"].choices = Approach.choices
        self.fields["approach"].required = False
        self.fields["stage"].choices = [("", _("Not recorded yet")), *Stage.choices]
        self.order_fields([*self.Meta.fields, "stage_note"])

    def clean_approach(self):
        """Left unchosen: as it was (for a new goal, neither / not applicable)."""
        return (
            self.cleaned_data.get("approach") or self.instance.approach or Approach.NOT_APPLICABLE
        )


class GoalEditForm(GoalForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(GoalForm.Meta):
        fields = [*GoalForm.Meta.fields, "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.stage:
            # A stage once recorded can move, not disappear.
            self.fields["stage"].choices = Stage.choices
            self.fields["stage"].required = True


class StepForm(forms.ModelForm):
    class Meta:
        model = ActionStep
        fields = ["text", "owner", "due_on", "notes"]
        widgets = {"due_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class StepEditForm(StepForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepMarkForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done = forms.TypedChoiceField(
        choices=[("1", _("Done")), ("0", _("Not done"))], coerce=lambda v: v == "1"
    )


class CheckInForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label=_("How far along does it feel?"),
        choices=[(value, f"{value} · {label}") for value, label in Rating.choices],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("The participant's own sense of it, from 1 (not at all) to 5 (fully)."),
    )

    class Meta:
        model = CheckIn
        fields = ["rating", "note", "checked_on"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3}), "checked_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()
        self.fields["checked_on"].required = False

    def clean_checked_on(self):
        return self.cleaned_data.get("checked_on") or timezone.localdate()


class PlanForm(forms.ModelForm):
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals this plan covers"),
        queryset=Goal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Plan
        fields = ["style", "goals", "discussed_on", "review_on", "agreed"]
        widgets = {
            "style": forms.RadioSelect,
            "discussed_on": DATE,
            "review_on": DATE,
            "agreed": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "style": _(
                "A formal written plan is signed by both of you and can be printed. "
                "An informal or ongoing discussion is recorded as it is."
            )
        }

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["style"].choices = PlanStyle.choices
        goals = Goal.objects.filter(engagement=engagement)
        self.fields["goals"].queryset = goals
        self.fields["goals"].label_from_instance = lambda goal: f"“{goal.statement}”"
        if not self.instance.pk:
            self.fields["discussed_on"].initial = timezone.localdate()
            self.initial.setdefault("goals", [g.pk for g in goals if g.status == "active"])


class PlanEditForm(PlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanSignForm(SignsShownText):
    """Sign the formal plan text shown (see ``SignsShownText``)."""

    hash_field = "plan_hash"
    salt = "alongside.plans.signing-form"
    expired_message = _("This page was opened too long ago. Read the plan again, then sign.")
    foreign_message = _("This signing form does not belong to this page. Open the plan again.")


def plan_opening_token(*, plan, role: str, user) -> str:
    """Signed when the signing page is shown: this plan, role and user, and when."""
    return PlanSignForm.token(plan, role, user)
