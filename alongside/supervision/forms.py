from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.engagements.models import Engagement
from alongside.engagements.services import OPEN_STATES
from alongside.supervision.models import MAX_SESSION_MINUTES, SupervisionSession


class EngagementChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Engagement) -> str:
        return f"{obj.participant} · {obj.program} · {obj.get_state_display()}"


def caseload_choices(supporter, organization, keep=()):
    """The supporter's open engagements, and any already chosen (even if closed since)."""
    from django.db.models import Q

    return (
        Engagement.objects.filter(organization=organization, supporter=supporter)
        .filter(Q(state__in=OPEN_STATES) | Q(pk__in=[e.pk for e in keep]))
        .select_related("participant", "program")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


class SessionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=1, max_value=MAX_SESSION_MINUTES, initial=60
    )
    engagements = EngagementChoice(
        label=_("Engagements discussed"),
        queryset=Engagement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the two of you see these."),
    )

    class Meta:
        model = SupervisionSession
        fields = ["held_on", "duration_minutes", "topics", "engagements", "notes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, supporter, organization, **kwargs):
        super().__init__(*args, **kwargs)
        keep = list(self.instance.engagements.all()) if self.instance.pk else []
        self.fields["engagements"].queryset = caseload_choices(supporter, organization, keep)


class NewSessionForm(SessionForm):
    follow_up = forms.CharField(label=_("A follow-up"), max_length=300, required=False)
    follow_up_due = forms.DateField(
        label=_("By when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("Follow-up"), max_length=300)
    due_on = forms.DateField(
        label=_("By when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
