"""Forms for assessments (with their signing form) and goal reviews."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.assessments.models import PlanChoice, Tier
from alongside.engagements.signing import SignsShownText

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, help_text="", rows=3, max_length=4000, required=False):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AssessmentForm(forms.Form):
    """What the team records. Only the tier, why, and the date are needed to save; the
    plan's parts may follow, and are needed before anyone signs."""

    tier = forms.TypedChoiceField(
        label=_("Tier"), choices=Tier.choices, coerce=int, widget=forms.RadioSelect
    )
    tier_override_reason = _text(
        _("Why not the suggested tier"),
        _("Needed when you choose a tier other than the suggested one."),
        rows=2,
        max_length=2000,
    )
    rationale = _text(_("Why this tier"), rows=4, required=True)
    plan_choice = forms.ChoiceField(
        label=_("Ongoing plan"),
        choices=PlanChoice.choices,
        widget=forms.RadioSelect,
        required=False,
        initial=PlanChoice.STAY_COURSE,
    )
    ongoing_plan = _text(_("The plan, in detail"), rows=3)
    achievable_goals = _text(_("Achievable goals"), _("What they want to reach next."))
    actions = _text(_("Specific actions"), _("Who does what, by when."))
    measure = _text(_("How progress will be measured"), rows=2, max_length=2000)
    corrections = _text(
        _("How problems will be corrected"),
        _("What we do if something gets in the way."),
        rows=2,
        max_length=2000,
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    reassess_on = forms.DateField(
        label=_("Re-assess on"),
        widget=DATE,
        required=False,
        help_text=_("Left empty: the program's interval after the assessment."),
    )

    def __init__(self, *args, suggested_tier=None, default_reassess_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("assessed_on", timezone.localdate())
            if suggested_tier is not None:
                self.initial.setdefault("tier", suggested_tier)
            if default_reassess_on is not None:
                self.initial.setdefault("reassess_on", default_reassess_on)

    def clean_plan_choice(self):
        """Left unchosen: stay the course."""
        return self.cleaned_data.get("plan_choice") or PlanChoice.STAY_COURSE


class AssessmentEditForm(AssessmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssessmentSignForm(SignsShownText):
    """Sign the assessment text shown (see ``SignsShownText``)."""

    salt = "alongside.assessments.signing-form"
    expired_message = _("This page was opened too long ago. Read the assessment again, then sign.")
    foreign_message = _(
        "This signing form does not belong to this page. Open the assessment again."
    )


class GoalReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    note = _text(
        _("What we found"),
        _("Which goals moved, which changed, what comes next."),
        rows=4,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("reviewed_on", timezone.localdate())
