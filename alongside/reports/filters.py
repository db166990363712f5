"""What a report covers: a period, and optionally one program, supporter or site, always
inside the programs the coordinator coordinates (core.permissions decides which)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User
from alongside.core.permissions import programs_coordinated_by, supporters_of
from alongside.engagements.models import Engagement
from alongside.organizations.models import Site

MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class ReportFilters:
    organization_id: int
    start: datetime.date
    end: datetime.date  # inclusive
    program_ids: tuple[int, ...]
    supporter_id: int | None = None
    site_id: int | None = None
    # One program was chosen (rather than "all my programs").
    single_program: bool = False

    def engagements(self) -> QuerySet:
        """The engagements in scope, whatever their dates (each report applies the period
        to what it counts: meetings held in it, referrals received in it…)."""
        queryset = Engagement.objects.filter(
            organization_id=self.organization_id, program_id__in=self.program_ids
        )
        if self.supporter_id:
            queryset = queryset.filter(supporter_id=self.supporter_id)
        if self.site_id:
            queryset = queryset.filter(site_id=self.site_id)
        return queryset

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for export links and saved reports)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.single_program:
            params["program"] = str(self.program_ids[0])
        if self.supporter_id:
            params["supporter"] = str(self.supporter_id)
        if self.site_id:
            params["site"] = str(self.site_id)
        return params


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to today."""
    today = today or timezone.localdate()
    try:
        start = today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + datetime.timedelta(days=1)
    return start, today


class _Choice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        if isinstance(obj, User):
            return obj.get_full_name() or obj.username
        return str(obj)


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    program = _Choice(
        label=_("Program"),
        queryset=None,
        required=False,
        empty_label=_("All my programs"),
        error_messages={"invalid_choice": _("Unknown program: choose one you coordinate.")},
    )
    supporter = _Choice(
        label=_("Peer supporter"),
        queryset=None,
        required=False,
        empty_label=_("All supporters"),
        error_messages={
            "invalid_choice": _("Unknown peer supporter: choose one of this organization.")
        },
    )
    site = _Choice(
        label=_("Site"),
        queryset=None,
        required=False,
        empty_label=_("All sites"),
        error_messages={"invalid_choice": _("Unknown site: choose one of this organization.")},
    )

    def __init__(self, data=None, *, user, organization, **kwargs):
        start, end = default_period()
        if data is not None and not any(data.get(k) for k in ("start", "end")):
            data = {**{k: data.get(k) for k in data}, "start": start, "end": end}
        super().__init__(data, initial={"start": start, "end": end}, **kwargs)
        self.organization = organization
        self.fields["program"].queryset = programs_coordinated_by(user, organization).order_by(
            "name"
        )
        self.fields["supporter"].queryset = User.objects.filter(
            pk__in=supporters_of(organization).values("user_id")
        ).order_by("first_name", "last_name", "username")
        self.fields["site"].queryset = Site.objects.filter(organization=organization)
        if not self.fields["site"].queryset.exists():
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period is before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("start", _("Choose a period of at most five years."))
            elif start > timezone.localdate():
                self.add_error("start", _("The period starts in the future."))
        return data

    def filters(self) -> ReportFilters:
        """The validated filters; call after is_valid()."""
        data = self.cleaned_data
        program = data.get("program")
        if program is not None:
            program_ids = (program.pk,)
        else:
            program_ids = tuple(self.fields["program"].queryset.values_list("pk", flat=True))
        site = data.get("site")
        supporter = data.get("supporter")
        return ReportFilters(
            organization_id=self.organization.pk,
            start=data["start"],
            end=data["end"],
            program_ids=program_ids,
            supporter_id=supporter.pk if supporter else None,
            site_id=site.pk if site else None,
            single_program=program is not None,
        )
