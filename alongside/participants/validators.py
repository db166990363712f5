"""What a participant's details must look like, wherever they come in (form, page, API)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_PHONE = re.compile(r"^\+?[0-9 ().\-/]+((x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def validate_phone(value: str) -> None:
    """A phone number people can dial: 7 to 15 digits, common punctuation, an extension."""
    number = re.split(r"(?i)x|ext", value)[0]
    digits = re.sub(r"\D", "", number)
    if not _PHONE.match(value.strip()) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a phone number with its area code, for example 555-123-4567."),
            code="phone",
        )


def validate_birth_date(born: datetime.date | None) -> None:
    if born and born > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."))
    if born and born.year < 1900:
        raise ValidationError(_("Check the year of the date of birth."))
