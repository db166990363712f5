"""Downloading the participant's own record: in the portal, or by a coordinator for them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation
from alongside.core.pdf import clean_filename
from alongside.core.permissions import (
    Cap,
    engagements_visible_to,
    get_or_404,
    participants_visible_to,
)
from alongside.core.web import attempt, form_status
from alongside.engagements.selectors import own_engagements
from alongside.participants.models import Participant
from alongside.records.forms import RecordRequestForm, RetentionConfirmForm
from alongside.records.retention import PurgePlan, retention_plan, retention_purge
from alongside.records.services import Format, record_download

# Who may release a participant's whole record to them, at their request: coordinators.
STAFF_CAP = Cap.RECORDS_RELEASE


def _attachment(download) -> HttpResponse:
    suffix = ".pdf" if download.filename.endswith(".pdf") else ".json"
    response = HttpResponse(download.content, content_type=download.content_type)
    filename = clean_filename(download.filename, suffix=suffix, default="record")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _own(request) -> Participant:
    """The participant record of whoever is signed in; none: 404."""
    return get_or_404(
        Participant.objects.select_related("organization"),
        user=request.user,
        organization=request.organization,
    )


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_record(request):
    participant = _own(request)
    return render(request, "records/portal_record.html", {"participant": participant})


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_download(request, fmt: str):
    """Each download records the request (the participant's own) and the delivery."""
    participant = _own(request)
    if fmt not in Format.CHOICES:
        raise Http404
    download = record_download(
        actor=request.user,
        participant=participant,
        engagements=own_engagements(request.user, request.organization),
        fmt=fmt,
        channel="portal",
    )
    read_record(request, f"own record ({fmt})", [participant.pk])
    return _attachment(download)


@require_http_methods(["GET", "POST"])
@capability_required(STAFF_CAP)
def staff_request(request, pk: int):
    """A coordinator downloads the record at the participant's request, noting the request."""
    participant = get_or_404(
        participants_visible_to(request.user, request.organization).select_related("organization"),
        pk=pk,
    )
    form = RecordRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        download = attempt(
            form,
            lambda: record_download(
                actor=request.user,
                participant=participant,
                engagements=engagements_visible_to(request.user, request.organization),
                fmt=data["fmt"],
                channel="staff",
                requested_by=data["requested_by"],
                requested_on=data["requested_on"],
                note=data["note"],
            ),
        )
        if download is not None:
            read_record(request, f"record at request ({data['fmt']})", [participant.pk])
            return _attachment(download)
    engagement = (
        engagements_visible_to(request.user, request.organization)
        .filter(participant=participant)
        .order_by("-started_on", "-pk")
        .first()
    )
    back_url = reverse("engagements:detail", args=[engagement.pk]) if engagement else ""
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Download the record of %(name)s") % {"name": participant},
            "intro": _(
                "At the participant's request only: the whole record they may have, as a "
                "readable PDF or a FHIR R4 Bundle. The request and the download are recorded."
            ),
            "back_url": back_url,
            "submit_label": _("Download"),
        },
        status=form_status(request, form),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ORGANIZATION_CONFIGURE)
def retention(request):
    """The dry run, then a confirmation that purges that same set (or refuses if it moved)."""
    organization = request.organization
    refused = ""
    status = 200
    if request.method == "POST":
        form = RetentionConfirmForm(request.POST)
        if form.is_valid():
            try:
                done = retention_purge(
                    organization,
                    request.user,
                    dry_run=False,
                    expected=form.cleaned_data["fingerprint"],
                )
            except RuleViolation as refusal:
                refused, status = refusal.message, 409
            else:
                messages.success(
                    request,
                    _(
                        "Purged the records of %(n)d participant(s): %(rows)d row(s), "
                        "%(files)d file(s)."
                    )
                    % {
                        "n": len(done.participant_ids),
                        "rows": done.total_rows,
                        "files": done.files,
                    },
                )
                return redirect("records:retention")
        else:
            status = 400
    try:
        plan = retention_plan(organization)
    except RuleViolation as blocked:  # the dry run itself found a link to someone else
        plan = PurgePlan(organization_id=organization.pk, cutoff=None)
        refused = blocked.message
    if request.method != "POST" or refused:
        form = RetentionConfirmForm(initial={"fingerprint": plan.fingerprint})
    return render(
        request,
        "records/retention.html",
        {"plan": plan, "form": form, "refused": refused, "organization": organization},
        status=status,
    )
