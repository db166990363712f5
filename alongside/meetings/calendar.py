"""A supporter's secret iCalendar feed (RFC 5545) of their meetings.

The address holds a random token; only its SHA-256 digest is stored, so the address is
shown once, when made. Revoking deletes it; replacing makes a new token. The feed names
no participant: each meeting shows initials and a link to the engagement page (which
asks for a sign-in), never a note.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.permissions import Cap, has_capability
from alongside.meetings.models import CalendarFeed, Meeting, MeetingStatus

FEED_PAST = datetime.timedelta(days=30)
FEED_AHEAD = datetime.timedelta(days=180)
FEED_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.CANCELLED)
TOKEN_BYTES = 32
# RFC 5545 §3.1: content lines are folded so no line is longer than 75 octets.
FOLD_OCTETS = 75
PRODID = "-//Alongside//Meetings//EN"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_issue(*, user, organization) -> str:
    """Make (or replace) the user's feed; returns the token, which is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        replaced = CalendarFeed.objects.filter(user=user).delete()[0] > 0
        feed = CalendarFeed.objects.create(
            user=user, organization=organization, token_digest=token_digest(token)
        )
        event_record(
            actor=user,
            organization=organization,
            action="calendar_feed.replaced" if replaced else "calendar_feed.created",
            obj=feed,
        )
    return token


def calendar_feed_revoke(*, user, organization) -> bool:
    """Delete the user's feed address; calendars using it get nothing more. False if none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(user=user).first()
        if feed is None:
            return False
        event_record(
            actor=user, organization=organization, action="calendar_feed.revoked", obj=feed
        )
        feed.delete()
    return True


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of this token, or None (unknown, revoked, or its owner lost access)."""
    if not token or len(token) > 200:
        return None
    digest = token_digest(token)
    feed = (
        CalendarFeed.objects.select_related("user", "organization")
        .filter(token_digest=digest)
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_digest, digest):
        return None
    if not feed.user.is_active or not has_capability(
        feed.user, feed.organization, Cap.MEETINGS_WRITE
    ):
        return None
    return feed


def feed_meetings(feed: CalendarFeed, now: datetime.datetime) -> list[Meeting]:
    """The feed's meetings: its owner's, in its organization, 30 days back to 180 ahead."""
    return list(
        Meeting.objects.filter(
            engagement__supporter=feed.user,
            engagement__organization=feed.organization,
            status__in=FEED_STATUSES,
            starts_at__gte=now - FEED_PAST,
            starts_at__lte=now + FEED_AHEAD,
        )
        .select_related("engagement__participant")
        .order_by("starts_at", "pk")
    )


# Writing iCalendar ------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line at 75 octets, never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= FOLD_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = FOLD_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = FOLD_OCTETS - 1  # continuation lines start with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def initials(participant) -> str:
    """ "P.R." for Pat Rivera: no name ever leaves in a feed."""
    first = (participant.preferred_name or participant.first_name or "").strip()
    letters = [part[0].upper() for part in (first, participant.last_name.strip()) if part]
    return "".join(f"{letter}." for letter in letters) or "?"


def ical_render(
    meetings: Iterable[Meeting],
    *,
    now: datetime.datetime,
    link_for: Callable[[Meeting], str],
    uid_domain: str,
    name: str,
) -> str:
    """The calendar text: CRLF line ends, folded lines, times in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    stamp = utc_stamp(now)
    for meeting in meetings:
        ends_at = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
        link = link_for(meeting)
        summary = _("Meeting with %(initials)s (%(mode)s)") % {
            "initials": initials(meeting.engagement.participant),
            "mode": meeting.get_mode_display(),
        }
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{uid_domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(meeting.starts_at)}",
            f"DTEND:{utc_stamp(ends_at)}",
            f"SEQUENCE:{meeting.version}",
            f"SUMMARY:{escape_text(summary)}",
        ]
        if meeting.place_type:
            lines.append(f"LOCATION:{escape_text(str(meeting.get_place_type_display()))}")
        lines += [
            f"DESCRIPTION:{escape_text(link)}",
            f"URL:{link}",
            "STATUS:"
            + ("CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"),
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
