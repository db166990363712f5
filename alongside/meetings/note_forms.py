"""The note form (one phone screen), its next-step rows, and the addendum form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.meetings.models import ReadinessSignal, StepOwner, Technique
from alongside.plans.models import Goal, WellnessDimension

# Empty next-step rows offered below the ones already written (no script adds rows).
EMPTY_STEP_ROWS = 3
MAX_STEP_ROWS = 20


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    topics = forms.CharField(
        label=_("Topics"),
        max_length=500,
        required=False,
        help_text=_("A few words: housing, a job interview, family…"),
    )
    body = forms.CharField(
        label=_("What happened (team only)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals touched"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    techniques = forms.MultipleChoiceField(
        label=_("Techniques used"),
        choices=Technique.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wellness_dimensions = forms.MultipleChoiceField(
        label=_("Wellness dimensions touched"),
        choices=WellnessDimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    readiness_signals = forms.MultipleChoiceField(
        label=_("Readiness signals observed"),
        choices=ReadinessSignal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    shared_own_story = forms.BooleanField(label=_("I shared from my own recovery"), required=False)
    sharing_purpose = forms.CharField(
        label=_("If so, for what purpose"),
        max_length=500,
        required=False,
        help_text=_("Required when you shared: how it served the participant."),
    )
    summary = forms.CharField(
        label=_("Summary for the participant (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown in the participant's portal once the note is finalized; "
            "leave empty to share nothing."
        ),
    )

    def __init__(self, *args, engagement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = engagement.goals.order_by("created_at", "pk")
        if not self.fields["goals"].queryset.exists():
            del self.fields["goals"]


class NextStepForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label=_("Next step"), max_length=500, required=False)
    owner = forms.ChoiceField(
        label=_("Who"), choices=StepOwner.choices, initial=StepOwner.PARTICIPANT, required=False
    )
    due_on = forms.DateField(
        label=_("By when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


NextStepFormSet = forms.formset_factory(
    NextStepForm, extra=0, max_num=MAX_STEP_ROWS, absolute_max=MAX_STEP_ROWS, validate_max=True
)


def step_rows(note) -> list[dict]:
    """Initial rows: the steps written so far, then empty ones."""
    rows = [
        {"id": s.pk, "text": s.text, "owner": s.owner, "due_on": s.due_on}
        for s in (note.steps.all() if note else [])
    ]
    empty = max(0, min(EMPTY_STEP_ROWS, MAX_STEP_ROWS - len(rows)))
    return rows + [{"owner": StepOwner.PARTICIPANT}] * empty


def note_initial(note) -> dict:
    if note is None:
        return {"version": 0}
    return {
        "version": note.version,
        "topics": note.topics,
        "body": note.body,
        "goals": [goal.pk for goal in note.goals.all()],
        "techniques": note.techniques,
        "wellness_dimensions": note.wellness_dimensions,
        "readiness_signals": note.readiness_signals,
        "shared_own_story": note.shared_own_story,
        "sharing_purpose": note.sharing_purpose,
        "summary": note.summary,
    }


class AddendumForm(forms.Form):
    body = forms.CharField(
        label=_("Addendum"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The note stays as it was signed; this is added below it, with your name."),
    )
