"""Saving a report's filters, to build it again (and monthly)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.reports.models import Format, Period


class SaveReportForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=120)
    period = forms.ChoiceField(label=_("Period of each build"), choices=Period.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    monthly = forms.BooleanField(
        label=_("Build it on the first of every month"), required=False, initial=True
    )
    # The filters of the report page it was saved from.
    program = forms.CharField(required=False, widget=forms.HiddenInput)
    supporter = forms.CharField(required=False, widget=forms.HiddenInput)
    site = forms.CharField(required=False, widget=forms.HiddenInput)
