"""The participant's whole record for the readable download, in a fixed number of queries."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from alongside.agreements.models import SignedDocument
from alongside.consents.models import Consent, Disclosure
from alongside.meetings.models import Meeting
from alongside.plans.models import ActionStep, Goal
from alongside.surveys.models import Response, ResponseStatus


def record_of(participant, engagements: QuerySet) -> dict:
    """Everything the record PDF shows, for ``engagements`` (already scoped to the reader).

    Meetings carry only what the participant may read of a note: a finalized note's
    summary (``shared_summary``); the team's note body never leaves in the record.
    """
    loaded = list(
        engagements.filter(participant=participant)
        .select_related("program", "supporter", "exit")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch("steps", queryset=ActionStep.objects.order_by("created_at", "pk"))
                ),
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("note")
                .only(
                    "pk",
                    "engagement_id",
                    "starts_at",
                    "duration_minutes",
                    "mode",
                    "place_type",
                    "status",
                    "note__status",
                    "note__summary",
                )
                .order_by("starts_at", "pk"),
            ),
            Prefetch(
                "signed_documents",
                queryset=SignedDocument.objects.select_related("version").order_by(
                    "signed_at", "pk"
                ),
            ),
            Prefetch(
                "survey_responses",
                queryset=Response.objects.filter(status=ResponseStatus.COMPLETE)
                .select_related("instrument_version__instrument")
                .order_by("completed_at", "pk"),
            ),
            "assessments",
        )
        .order_by("started_on", "pk")
    )
    for engagement in loaded:
        for meeting in engagement.meetings.all():
            try:
                note = meeting.note
            except ObjectDoesNotExist:
                note = None
            meeting.shared_summary = note.summary if note is not None and note.is_final else ""
    organization = participant.organization
    return {
        "participant": participant,
        "organization": organization,
        "engagements": loaded,
        "consents": list(
            Consent.objects.filter(participant=participant, organization=organization).order_by(
                "signed_on", "pk"
            )
        ),
        "disclosures": list(
            Disclosure.objects.filter(participant=participant, organization=organization)
            .select_related("consent")
            .order_by("disclosed_at", "pk")
        ),
    }
