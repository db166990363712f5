"""What every view shares: running a service against a form, paging a list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator

from alongside.core.errors import RuleViolation

T = TypeVar("T")
PAGE_SIZE = 50


def _shown(field: forms.Field, value) -> str:
    """A value as the form's choices name it; lists joined, nothing as a dash."""
    choices = {str(key): label for key, label in getattr(field, "choices", []) or []}
    values = value if isinstance(value, list | tuple) else [value]
    words = [str(choices.get(str(v), v)) for v in values if v not in (None, "")]
    return ", ".join(words) or "—"


def both_versions(form: forms.Form, theirs, names: Iterable[str]) -> list[dict]:
    """After a stale edit, the saved version (``theirs``) beside what the user typed, field by
    field, for ``core/both_versions.html``. The form is given the saved version's number,
    so saving again replaces theirs on purpose, having seen it."""
    theirs.last_change = theirs.history.select_related("history_user").first()
    form.data = form.data.copy()
    form.data["version"] = theirs.version
    rows = []
    for name in names:
        field = form.fields[name]
        many = isinstance(field, forms.MultipleChoiceField)
        typed = form.data.getlist(name) if many else form.data.get(name, "")
        shown_theirs, shown_yours = _shown(field, getattr(theirs, name)), _shown(field, typed)
        rows.append(
            {
                "label": field.label,
                "theirs": shown_theirs,
                "yours": shown_yours,
                "differs": shown_theirs.strip() != shown_yours.strip(),
            }
        )
    return rows


def attempt(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run a service; a refusal becomes a form error and nothing is saved."""
    try:
        return call()
    except RuleViolation as refusal:
        form.refused = True
        form.add_error(None, refusal.message)
    except ValidationError as invalid:
        if hasattr(invalid, "error_dict"):
            for field, errors in invalid.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, invalid)
    return None


def form_status(request, form: forms.Form, blocked: str = "") -> int:
    """The status a form page answers: 409 when a rule refused the change or the record is
    closed to it, 400 when the input was wrong, 200 otherwise. Nothing was saved in the
    first two."""
    if request.method != "POST":
        return 200
    if blocked or getattr(form, "refused", False):
        return 409
    if form.is_bound and form.errors:
        return 400
    return 200


def page_of(queryset, request, size: int = PAGE_SIZE) -> Page:
    """One page of a list; a bad page number shows the nearest real page."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def form_page(
    request,
    form: forms.Form,
    *,
    save: Callable[[dict], object],
    title: str,
    back_url: str,
    done_url: str,
    done_message: str,
    blocked: str = "",
    submit_label: str = "",
    intro: str = "",
):
    """The one shape of a form page: show, validate, call the service, redirect."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    if request.method == "POST" and not blocked and form.is_valid():
        result = attempt(form, lambda: save(form.cleaned_data))
        if result is not None:
            messages.success(request, done_message)
            return redirect(done_url)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "blocked": blocked,
            "submit_label": submit_label,
            "intro": intro,
        },
        status=form_status(request, form, blocked),
    )
