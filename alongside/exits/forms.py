from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.exits.models import (
    PLANNED_REASONS,
    REASONS_BY_KIND,
    ConcludingStep,
    ExitKind,
    ExitReason,
)
from alongside.exits.services import (
    NOTE_MAX,
    REASON_DETAIL_MAX,
    STEP_DOWN_MAX_PER_MONTH,
    STEP_NOTE_MAX,
)


def _reasons(values) -> list[tuple[str, str]]:
    return [(value, ExitReason(value).label) for value in values]


class ExitStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How support is ending"), choices=ExitKind.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("Why support is ending"),
        choices=[
            (_("Planned or step-down"), _reasons(PLANNED_REASONS)),
            (_("Abrupt"), _reasons(REASONS_BY_KIND[ExitKind.ABRUPT])),
        ],
        widget=forms.RadioSelect,
    )
    reason_detail = forms.CharField(
        label=_("What happened (needed for “Other”)"), required=False, max_length=REASON_DETAIL_MAX
    )
    step_down_per_month = forms.IntegerField(
        label=_("Step-down: meetings per month"),
        required=False,
        min_value=1,
        max_value=STEP_DOWN_MAX_PER_MONTH,
    )
    step_down_until = forms.DateField(
        label=_("Step-down: last day, then close"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Notes on the ending"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        """Drop a step-down plan left filled in when another kind was chosen. Whether the
        reason fits the kind, "Other" says what happened and the plan is sound are the
        service's rules (``exit_start``); its errors come back onto these fields."""
        data = super().clean()
        if data.get("kind") and data["kind"] != ExitKind.STEP_DOWN:
            data["step_down_per_month"] = data["step_down_until"] = None
        return data


class StepForm(forms.Form):
    """One step ticked from the engagement page."""

    step = forms.ChoiceField(choices=ConcludingStep.Step.choices)
    status = forms.ChoiceField(
        choices=ConcludingStep.Status.choices, initial=ConcludingStep.Status.DONE
    )
    note = forms.CharField(required=False, max_length=STEP_NOTE_MAX)


class ExitCompleteForm(forms.Form):
    """The guided close: every open step, then the note; recorded at once with the close."""

    def __init__(self, data=None, *, open_steps=(), abrupt: bool = False):
        super().__init__(data)
        statuses = [("", _("Still open"))]
        statuses.append((ConcludingStep.Status.DONE, _("Done")))
        if abrupt:
            statuses.append((ConcludingStep.Status.NOT_POSSIBLE, _("Could not be done")))
        self.open_steps = list(open_steps)
        for step in self.open_steps:
            self.fields[f"status_{step.value}"] = forms.ChoiceField(
                label=step.label, choices=statuses, required=False, widget=forms.RadioSelect
            )
            self.fields[f"note_{step.value}"] = forms.CharField(
                label=_("What was said or arranged")
                if not abrupt
                else _("What was said or arranged, or why it could not be done"),
                required=False,
                max_length=STEP_NOTE_MAX,
            )
        self.fields["note"] = forms.CharField(
            label=_("How the ending went"),
            required=False,
            max_length=NOTE_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Include how the participant can return to support if they wish."),
        )

    def clean(self):
        data = super().clean()
        steps = {}
        for step in self.open_steps:
            status = data.pop(f"status_{step.value}", "")
            note = data.pop(f"note_{step.value}", "")
            if status:
                steps[step.value] = {"status": status, "note": note}
        data["steps"] = steps
        return data


class ReopenForm(forms.Form):
    supporter = forms.ModelChoiceField(label=_("Peer supporter"), queryset=None)
    needs = forms.CharField(
        label=_("What support is wanted now"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to keep what the earlier referral said."),
    )

    def __init__(self, data=None, *, supporters, initial_supporter=None):
        super().__init__(data, initial={"supporter": initial_supporter})
        self.fields["supporter"].queryset = supporters
