from django import forms
from django.utils.translation import gettext_lazy as _


class MatchForm(forms.Form):
    supporter = forms.IntegerField(widget=forms.HiddenInput)


class SupporterNoteForm(forms.Form):
    """A supporter named on the page, with an optional reason (decline, conflict)."""

    supporter = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=400, required=False)


class BatchSelectForm(forms.Form):
    referral = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, referral_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [(pk, pk) for pk in referral_ids]
        self.fields["referral"].error_messages["required"] = _(
            "Select at least one waiting referral."
        )


class ChangeSupporterForm(forms.Form):
    supporter = forms.TypedChoiceField(label=_("New peer supporter"), coerce=int, choices=[])
    reason = forms.CharField(
        label=_("Why the change"), max_length=400, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].choices = [
            (s.profile.user_id, f"{s.profile.user} · {'; '.join(s.reasons)}")
            for s in suggestions
            if s.eligible
        ]
