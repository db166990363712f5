"""Meetings: log or plan, see one, move, cancel, record what happened; week and day lists;
the supporter's calendar feed."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.services import access_log_write, read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, capabilities_of
from alongside.core.web import form_page
from alongside.engagements.selectors import closed_notice
from alongside.engagements.web import engagement_form_page
from alongside.meetings import calendar, selectors, services
from alongside.meetings.forms import CancelForm, MeetingForm, OutcomeForm, RescheduleForm
from alongside.meetings.models import CalendarFeed, MeetingStatus
from alongside.meetings.services import MeetingOverlap

HISTORY_SHOWN = 20


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def meeting_create(request, pk: int):
    forms_made: list[MeetingForm] = []

    def make_form(engagement, data):
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = MeetingForm(data, initial={"starts_at": now})
        forms_made.append(form)
        return form

    def save(engagement, data):
        data = dict(data)
        allow = data.pop("save_anyway")
        try:
            if data["status"] == MeetingStatus.PLANNED and not data["note_body"].strip():
                return services.meeting_schedule(
                    engagement=engagement,
                    actor=request.user,
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    mode=data["mode"],
                    place_type=data["place_type"],
                    reminder_minutes=data["reminder_minutes"],
                    allow_overlap=allow,
                )
            return services.meeting_log(
                engagement=engagement, actor=request.user, allow_overlap=allow, **data
            )
        except MeetingOverlap:
            forms_made[-1].reveal_save_anyway()
            raise

    return engagement_form_page(
        request,
        pk,
        make_form=make_form,
        save=save,
        title=_("Meeting with %(name)s"),
        anchor="meetings",
        done_message=_("Meeting saved."),
    )


def _change_refusal(meeting) -> str:
    """Why a planned meeting's forms cannot be used, or ""."""
    notice = closed_notice(meeting.engagement)
    if notice:
        return notice
    if meeting.status != MeetingStatus.PLANNED:
        return _("This meeting is already %(status)s; only a planned meeting can change.") % {
            "status": meeting.get_status_display().lower()
        }
    return ""


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_get_for(request.user, request.organization, pk)
    caps = capabilities_of(request.user, request.organization)
    history = list(
        meeting.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :HISTORY_SHOWN
        ]
    )
    read_record(request, "meeting", [meeting.engagement.participant_id])
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "engagement": meeting.engagement,
            "ends_at": services.meeting_ends_at(meeting),
            "can_change": Cap.MEETINGS_WRITE in caps and not _change_refusal(meeting),
            "started": meeting.starts_at <= timezone.now(),
            "history": history,
        },
    )


def _meeting_form_page(request, meeting, form, *, save, title, done_message):
    detail = reverse("meetings:detail", args=[meeting.pk])
    read_record(request, "meeting form", [meeting.engagement.participant_id])
    return form_page(
        request,
        form,
        save=save,
        title=title % {"name": meeting.engagement.participant},
        back_url=detail,
        done_url=detail,
        done_message=done_message,
        blocked=_change_refusal(meeting),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def meeting_reschedule(request, pk: int):
    meeting = selectors.meeting_get_for(request.user, request.organization, pk)
    form = RescheduleForm(
        request.POST or None,
        initial={
            "starts_at": timezone.localtime(meeting.starts_at),
            "duration_minutes": meeting.duration_minutes,
            "mode": meeting.mode,
            "place_type": meeting.place_type,
            "reminder_minutes": meeting.reminder_minutes,
            "version": meeting.version,
        },
    )

    def save(data):
        data = dict(data)
        allow, version = data.pop("save_anyway"), data.pop("version")
        try:
            return services.meeting_reschedule(
                meeting=meeting,
                actor=request.user,
                expected_version=version,
                allow_overlap=allow,
                **data,
            )
        except MeetingOverlap:
            form.reveal_save_anyway()
            raise

    return _meeting_form_page(
        request,
        meeting,
        form,
        save=save,
        title=_("Move the meeting with %(name)s"),
        done_message=_("Meeting moved."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def meeting_cancel(request, pk: int):
    meeting = selectors.meeting_get_for(request.user, request.organization, pk)
    form = CancelForm(request.POST or None, initial={"version": meeting.version})
    return _meeting_form_page(
        request,
        meeting,
        form,
        save=lambda data: services.meeting_cancel(
            meeting=meeting,
            actor=request.user,
            expected_version=data["version"],
            reason=data["reason"],
        ),
        title=_("Cancel the meeting with %(name)s"),
        done_message=_("Meeting cancelled."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def meeting_outcome(request, pk: int):
    meeting = selectors.meeting_get_for(request.user, request.organization, pk)
    form = OutcomeForm(
        request.POST or None,
        initial={
            "outcome": MeetingStatus.HELD,
            "duration_minutes": meeting.planned_minutes or meeting.duration_minutes,
            "mode": meeting.mode,
            "version": meeting.version,
        },
    )

    def save(data):
        if data["outcome"] == MeetingStatus.MISSED:
            return services.meeting_record_missed(
                meeting=meeting, actor=request.user, expected_version=data["version"]
            )
        return services.meeting_record_held(
            meeting=meeting,
            actor=request.user,
            expected_version=data["version"],
            duration_minutes=data["duration_minutes"],
            mode=data["mode"],
        )

    return _meeting_form_page(
        request,
        meeting,
        form,
        save=save,
        title=_("What happened at the meeting with %(name)s"),
        done_message=_("Meeting recorded."),
    )


# A supporter's week and day -----------------------------------------------------------------


def _calendar_page(request, *, param: str, days: int, template: str):
    status = 200
    day = selectors.parse_day(request.GET.get(param))
    if day is None:
        messages.error(request, _("That date could not be read; use the form YYYY-MM-DD."))
        day, status = timezone.localdate(), 400
    supporter, choices = selectors.supporter_for_calendar(
        request.user, request.organization, request.GET.get("supporter")
    )
    first = selectors.week_start(day) if days == 7 else day
    listed = selectors.meetings_by_day(request.user, request.organization, supporter, first, days)
    read_record(
        request,
        "meetings of a supporter",
        {m.engagement.participant_id for d in listed for m in d.meetings},
    )
    step = datetime.timedelta(days=days)
    return render(
        request,
        template,
        {
            "days": listed,
            "first": first,
            "last": first + datetime.timedelta(days=days - 1),
            "previous": first - step,
            "next": first + step,
            "today": timezone.localdate(),
            "supporter": supporter,
            "choices": choices if len(choices) > 1 or supporter is None else [],
            "supporter_query": f"&supporter={supporter.pk}"
            if supporter and supporter != request.user
            else "",
            "count": sum(len(d.meetings) for d in listed),
        },
        status=status,
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def meeting_week(request):
    return _calendar_page(request, param="week", days=7, template="meetings/week.html")


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def meeting_day(request):
    return _calendar_page(request, param="date", days=1, template="meetings/day.html")


# The calendar feed ---------------------------------------------------------------------------


def _feed_page(request, *, address: str = ""):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "meetings/calendar_feed.html", {"feed": feed, "address": address})


@require_GET
@capability_required(Cap.MEETINGS_WRITE)
def calendar_feed_page(request):
    return _feed_page(request)


@require_POST
@capability_required(Cap.MEETINGS_WRITE)
def calendar_feed_new(request):
    """Make or replace the address and show it, this once (it is not stored)."""
    token = calendar.calendar_feed_issue(user=request.user, organization=request.organization)
    address = request.build_absolute_uri(reverse("meetings:feed", args=[token]))
    return _feed_page(request, address=address)


@require_POST
@capability_required(Cap.MEETINGS_WRITE)
def calendar_feed_revoke(request):
    if calendar.calendar_feed_revoke(user=request.user, organization=request.organization):
        messages.success(request, _("The calendar address is revoked; it shows nothing now."))
    else:
        messages.error(request, _("You had no calendar address to revoke."))
    return redirect("meetings:calendar")


@require_GET
def calendar_feed_ics(request, token: str):
    """The feed itself: no session, the token in the path is the key."""
    feed = calendar.calendar_feed_for_token(token)
    if feed is None:
        raise Http404
    now = timezone.now()
    meetings = calendar.feed_meetings(feed, now)
    with translation.override(feed.user.preferred_language):
        body = calendar.ical_render(
            meetings,
            now=now,
            link_for=lambda m: request.build_absolute_uri(
                reverse("engagements:detail", args=[m.engagement_id])
            ),
            uid_domain=f"{feed.organization.slug}.alongside",
            name=_("Alongside meetings"),
        )
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    # The access log, by hand: the path holds the secret, so it is not written there.
    access_log_write(
        organization=feed.organization,
        actor=feed.user,
        method=request.method,
        path=reverse("meetings:feed", args=["redacted"]),
        what="calendar feed (initials only)",
        participant_ids={m.engagement.participant_id for m in meetings},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="alongside-meetings.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
