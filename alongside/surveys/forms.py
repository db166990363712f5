"""The survey form, built from an instrument version's definition: a radio group per scale
item, a text area per text item. Every item is optional here (a draft may be partial); the
service refuses completion while required items are open."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.surveys.definitions import TEXT_MAX_LENGTH, localized
from alongside.surveys.models import FillMethod

STAFF_METHODS = [
    (FillMethod.WITH_SUPPORTER.value, FillMethod.WITH_SUPPORTER.label),
    (FillMethod.PAPER.value, FillMethod.PAPER.label),
]


def field_name(number: int) -> str:
    return f"item_{number}"


class AnswersForm(forms.Form):
    """Answers to some or all items of a version, plus the button pressed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    action = forms.ChoiceField(
        choices=[],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("Use one of the buttons below.")},
    )

    def __init__(
        self,
        data=None,
        *,
        version,
        language: str = "en",
        answers: dict | None = None,
        items: list[dict] | None = None,
        actions: tuple[str, ...] = ("draft", "complete"),
        with_method: bool = False,
        record_version: int | None = None,
    ) -> None:
        super().__init__(data, initial={"version": record_version})
        self.fields["action"].choices = [(a, a) for a in actions]
        self.fields["action"].required = True
        definition = version.definition
        self.items = items if items is not None else definition["items"]
        answers = answers or {}
        if with_method:
            self.fields["method"] = forms.ChoiceField(
                label=_("How it was filled"),
                choices=STAFF_METHODS,
                widget=forms.RadioSelect,
                initial=FillMethod.WITH_SUPPORTER.value,
            )
        for item in self.items:
            number = item["number"]
            label = f"{number}. {localized(item['text'], language)}"
            required = item.get("required", item["kind"] == "choice")
            help_text = _("Needed to complete.") if required else _("Optional.")
            if item["kind"] == "choice":
                options = definition["scales"][item["scale"]]["options"]
                field = forms.TypedChoiceField(
                    label=label,
                    choices=[(o["value"], localized(o["label"], language)) for o in options],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                    help_text=help_text,
                    error_messages={
                        "invalid_choice": _("Choose one of the answers offered."),
                    },
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=item.get("max_length", TEXT_MAX_LENGTH),
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=help_text,
                )
            field.initial = answers.get(str(number))
            self.fields[field_name(number)] = field

    def answers(self) -> dict:
        """The answers of the items on this form, keyed by item number (None clears one)."""
        return {
            str(item["number"]): self.cleaned_data.get(field_name(item["number"]))
            for item in self.items
        }

    def mark_missing(self, numbers) -> None:
        """Put 'needed' on each required item left open (those on this form), and keep the
        whole list for the page to link to."""
        self.missing = [int(n) for n in numbers]
        for number in numbers:
            name = field_name(int(number))
            if name in self.fields:
                self.add_error(name, _("Answer this item to complete the survey."))
