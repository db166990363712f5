"""A meeting's note: read it, write or finish the draft, finalize it, add an addendum."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.core.permissions import Cap, capabilities_of
from alongside.core.web import attempt
from alongside.meetings import notes
from alongside.meetings.note_forms import (
    AddendumForm,
    NextStepFormSet,
    NoteForm,
    note_initial,
    step_rows,
)
from alongside.meetings.selectors import meeting_get_for


def _back(meeting) -> str:
    return reverse("engagements:detail", args=[meeting.engagement_id]) + "#meetings"


@require_GET
@capability_required(Cap.NOTES_READ)
def note_detail(request, pk: int):
    meeting = meeting_get_for(request.user, request.organization, pk)
    note = notes.note_of(meeting)
    caps = capabilities_of(request.user, request.organization)
    writer = Cap.MEETINGS_WRITE in caps
    read_record(request, "meeting note", [meeting.engagement.participant_id])
    return render(
        request,
        "meetings/note_detail.html",
        {
            "meeting": meeting,
            "engagement": meeting.engagement,
            "note": note,
            "back_url": _back(meeting),
            "can_write": writer and not notes.refusal_for(meeting, note, request.user),
            "can_add_addendum": writer and note is not None and note.is_final,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def note_write(request, pk: int):
    """The one-screen note form: save as a draft, or save and finalize."""
    meeting = meeting_get_for(request.user, request.organization, pk)
    engagement = meeting.engagement
    note = notes.note_of(meeting)
    blocked = notes.refusal_for(meeting, note, request.user)
    posted = request.POST if request.method == "POST" and not blocked else None
    form = NoteForm(posted, engagement=engagement, initial=note_initial(note))
    steps = NextStepFormSet(posted, initial=step_rows(note), prefix="steps")
    differences = None
    status = 409 if blocked and request.method == "POST" else 200
    if posted is not None:
        status = 400
        if form.is_valid() and steps.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            data["steps"] = [row.cleaned_data for row in steps if row.cleaned_data]
            finalize = "finalize" in request.POST
            stale: list[StaleEdit] = []

            def save():
                try:
                    return notes.note_save(
                        meeting=meeting,
                        actor=request.user,
                        expected_version=version,
                        finalize=finalize,
                        **data,
                    )
                except StaleEdit as refusal:
                    stale.append(refusal)
                    form.add_error(None, refusal.message)
                    return None

            saved = attempt(form, save)
            if saved is not None:
                messages.success(
                    request, _("Note finalized.") if saved.is_final else _("Draft saved.")
                )
                return redirect("notes:detail", pk=meeting.pk)
            if stale:
                status = 409
                stored = notes.note_of(meeting)
                if stored is not None:
                    differences = notes.note_differences(stored, data)
                    # Saving again is now a choice made with both versions in view.
                    form.data = form.data.copy()
                    form.data["version"] = stored.version
        elif steps.non_form_errors():
            form.add_error(None, steps.non_form_errors())
    read_record(request, "meeting note form", [engagement.participant_id])
    return render(
        request,
        "meetings/note_form.html",
        {
            "meeting": meeting,
            "engagement": engagement,
            "note": note,
            "form": form,
            "steps": steps,
            "blocked": blocked,
            "offer_addendum": note is not None and note.is_final,
            "differences": differences,
            "back_url": _back(meeting),
        },
        status=status,
    )


@require_POST
@capability_required(Cap.MEETINGS_WRITE)
def note_finalize(request, pk: int):
    """Sign a draft as it stands (the version the page showed)."""
    meeting = meeting_get_for(request.user, request.organization, pk)
    note = notes.note_of(meeting)
    if note is None:
        messages.error(request, _("Write the note before finalizing it."))
        return redirect("notes:detail", pk=meeting.pk)
    version = request.POST.get("version", "")
    try:
        notes.note_finalize(
            note=note,
            actor=request.user,
            expected_version=int(version) if version.isdigit() else -1,
        )
    except RuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Note finalized."))
    return redirect("notes:detail", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def note_addendum(request, pk: int):
    """Add to a finalized note; the note itself never changes."""
    meeting = meeting_get_for(request.user, request.organization, pk)
    note = notes.note_of(meeting)
    blocked = ""
    if note is None or not note.is_final:
        blocked = _("Only a finalized note takes addenda; finish and finalize the note first.")
    form = AddendumForm(request.POST if request.method == "POST" and not blocked else None)
    status = 409 if blocked and request.method == "POST" else 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            added = attempt(
                form,
                lambda: notes.addendum_create(
                    note=note, actor=request.user, body=form.cleaned_data["body"]
                ),
            )
            if added is not None:
                messages.success(request, _("Addendum added."))
                return redirect("notes:detail", pk=meeting.pk)
    read_record(request, "meeting note", [meeting.engagement.participant_id])
    return render(
        request,
        "meetings/note_addendum.html",
        {
            "meeting": meeting,
            "engagement": meeting.engagement,
            "note": note,
            "form": form,
            "blocked": blocked,
            "back_url": reverse("notes:detail", args=[meeting.pk]),
        },
        status=status,
    )
