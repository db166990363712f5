"""The shared shape of pages that add something to one engagement."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.urls import reverse

from alongside.audit.services import read_record
from alongside.core.web import form_page
from alongside.engagements.models import Engagement
from alongside.engagements.selectors import closed_notice, engagement_get_for


def engagement_form_page(
    request,
    pk: int,
    *,
    make_form: Callable[[Engagement, dict | None], forms.Form],
    save: Callable[[Engagement, dict], object],
    title: str,
    anchor: str,
    done_message: str,
    refusal: Callable[[Engagement], str] = lambda engagement: "",
    **extra,
):
    """Scoped fetch, form, service, back to the engagement page at ``#anchor``."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = make_form(engagement, request.POST or None)
    read_record(request, "engagement form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    return form_page(
        request,
        form,
        save=lambda data: save(engagement, data),
        title=title % {"name": engagement.participant},
        back_url=back,
        done_url=f"{back}#{anchor}" if anchor else back,
        done_message=done_message,
        blocked=closed_notice(engagement) or refusal(engagement),
        **extra,
    )
