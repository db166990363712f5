"""The emergency plan form: written sections, people to contact and crisis lines."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.emergencyplans.models import DEFAULT_CRISIS_LINES, TEXT_SECTIONS
from alongside.emergencyplans.services import MAX_CONTACTS, MAX_CRISIS_LINES

HELP = {
    "well": _("How you look, sound and spend your days when things are good."),
    "warning_signs": _("What others may notice when you need them to step in."),
    "helps": _("What others can do or say that helps."),
    "does_not_help": _("What makes things worse."),
    "treatments_help": _("Medications, doses, treatments or practices that help."),
    "treatments_avoid": _("Medications or treatments that must be avoided, and why."),
    "not_involved": _("Names, and why, if you want to say."),
    "no_longer_needed": _("How others will know you no longer need them to act on this plan."),
}
REQUIRED = {"warning_signs"}


class EmergencyPlanForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in TEXT_SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=name in REQUIRED,
                max_length=4000,
                help_text=HELP.get(name, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def text_fields(self):
        return [self[name] for name, _label in TEXT_SECTIONS]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    relationship = forms.CharField(label=_("Relationship"), max_length=80, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    outside_team = forms.BooleanField(
        label=_("Outside the recovery team (share only with a consent)"), required=False
    )

    def clean(self):
        data = super().clean()
        if (data.get("name") or data.get("phone")) and not (
            data.get("name") and data.get("phone")
        ):
            raise forms.ValidationError(_("Give this person a name and a phone number."))
        return data


class CrisisLineForm(forms.Form):
    name = forms.CharField(label=_("Crisis line"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    def clean(self):
        data = super().clean()
        if (data.get("name") or data.get("phone")) and not (
            data.get("name") and data.get("phone")
        ):
            raise forms.ValidationError(_("Give this crisis line a name and a number."))
        return data


class AllRows(forms.BaseFormSet):
    """Every row is read, even one equal to its initial value (blank rows are skipped later)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form


def _rows(formset) -> list[dict]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and (form.cleaned_data.get("name") or form.cleaned_data.get("phone"))
    ]


class PlanForms:
    """The form and its two lists, validated and read together."""

    def __init__(self, data=None, *, version=None) -> None:
        if version is not None:
            initial = {name: getattr(version, name) for name, _label in TEXT_SECTIONS}
            initial["based_on"] = version.number
            contacts, lines = list(version.contacts), list(version.crisis_lines)
        else:
            initial = {"based_on": 0}
            contacts, lines = [], [dict(line) for line in DEFAULT_CRISIS_LINES]
        self.form = EmergencyPlanForm(data, initial=initial)
        contact_set = forms.formset_factory(
            ContactForm, AllRows, extra=max(3 - len(contacts), 1), max_num=MAX_CONTACTS
        )
        line_set = forms.formset_factory(
            CrisisLineForm, AllRows, extra=max(2 - len(lines), 1), max_num=MAX_CRISIS_LINES
        )
        self.contacts = contact_set(data, initial=contacts, prefix="contact")
        self.crisis_lines = line_set(data, initial=lines, prefix="line")

    def is_valid(self) -> bool:
        valid = [f.is_valid() for f in (self.form, self.contacts, self.crisis_lines)]
        return all(valid)

    def cleaned(self) -> dict:
        data = dict(self.form.cleaned_data)
        data["contacts"] = _rows(self.contacts)
        data["crisis_lines"] = _rows(self.crisis_lines)
        return data

    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or any(self.contacts.errors)
            or self.contacts.non_form_errors()
            or any(self.crisis_lines.errors)
            or self.crisis_lines.non_form_errors()
        )
