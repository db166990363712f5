"""A participant's details (kept by their team, and their contact details by themselves in
the portal) and portal access, given by their team."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import StaleEdit
from alongside.core.permissions import (
    Cap,
    get_or_404,
    may_change_participant,
    participants_visible_to,
)
from alongside.core.web import attempt, both_versions, form_page
from alongside.participants import services
from alongside.participants.forms import OwnDetailsForm, ParticipantEditForm, PortalInviteForm
from alongside.participants.models import Participant


def _back(request) -> str:
    """Where the page came from (``?next=``), if it is a page of this site."""
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = reverse("home")
    return back


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PARTICIPANTS_CHANGE)
def participant_edit(request, pk: int):
    """Edit a person's details; if someone else saved them meanwhile, show both versions
    and save nothing."""
    participant = get_or_404(
        participants_visible_to(request.user, request.organization).select_related("organization"),
        pk=pk,
    )
    read_record(request, "participant details", [participant.pk])
    back = _back(request)
    # Named before the form is checked: checking it writes the typed values on the record.
    title = _("Details of %(name)s") % {"name": participant}
    # In sight but not theirs to change (a supporter once support has closed): say who can.
    blocked = ""
    if not may_change_participant(request.user, request.organization, participant.pk):
        blocked = _(
            "Only a coordinator of their program, or the peer supporter of their open "
            "engagement, can change the details of %(name)s."
        ) % {"name": participant}
    return _details_page(
        request,
        participant,
        ParticipantEditForm,
        title=title,
        back=back,
        blocked=blocked,
        intro=_(
            "As the person tells you now: a new phone number, name, pronouns or language, "
            "or more about themselves. Every change is kept in the record's history."
        ),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def portal_details(request):
    """A participant keeps their own contact details and how to address them current."""
    participant = get_or_404(
        Participant.objects.select_related("organization"),
        user=request.user,
        organization=request.organization,
    )
    read_record(request, "own details", [participant.pk])
    return _details_page(
        request,
        participant,
        OwnDetailsForm,
        title=_("My contact details"),
        back=reverse("portal:home"),
        intro=_(
            "How to reach you and how to address you. Your peer supporter and coordinators "
            "see these; tell them if anything else about you has changed."
        ),
    )


def _details_page(
    request, participant, form_class, *, title: str, back: str, intro: str, blocked: str = ""
):
    """Show the form, save through the service, and when someone else saved the details
    meanwhile, show both versions and save nothing (409)."""
    form = form_class(
        request.POST if request.method == "POST" and not blocked else None,
        instance=participant,
        initial={"version": participant.version},
    )
    theirs, both = None, []
    status = 403 if blocked else 200
    if request.method == "POST" and not blocked:
        status = 400
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            stale: list[StaleEdit] = []

            def save():
                try:
                    return services.participant_update(
                        participant=participant,
                        actor=request.user,
                        expected_version=form.cleaned_data["version"],
                        **data,
                    )
                except StaleEdit:
                    stale.append(True)
                    raise

            if attempt(form, save) is not None:
                messages.success(request, _("Details saved."))
                return redirect(back)
            if stale:
                theirs = Participant.objects.get(pk=participant.pk)
                both = both_versions(form, theirs, form.Meta.fields)
                status = 409
    return render(
        request,
        "participants/edit.html",
        {
            "form": form,
            "participant": participant,
            "theirs": theirs,
            "both": both,
            "title": title,
            "intro": intro,
            "back_url": back,
            "blocked": blocked,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_INVITE)
def portal_invite(request, pk: int):
    participant = get_or_404(participants_visible_to(request.user, request.organization), pk=pk)
    form = PortalInviteForm(request.POST or None)
    read_record(request, "portal invitation", [participant.pk])
    back = _back(request)
    blocked = ""
    if participant.user_id is not None:
        blocked = _("%(name)s already has a portal sign-in.") % {"name": participant}
    return form_page(
        request,
        form,
        save=lambda data: services.participant_portal_invite(
            participant=participant,
            actor=request.user,
            username=data["username"],
            password=data["password"],
        ),
        title=_("Portal sign-in for %(name)s") % {"name": participant},
        intro=_(
            "With this sign-in, the participant sees their own support: supporter, goals "
            "and meetings (never staff notes), and can raise a concern."
        ),
        back_url=back,
        done_url=back,
        done_message=_("Portal sign-in created."),
        blocked=blocked,
        submit_label=_("Create sign-in"),
    )
