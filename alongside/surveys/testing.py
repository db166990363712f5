"""For tests elsewhere (the access matrix among them): the shipped instruments, installed."""

from __future__ import annotations

from alongside.surveys.models import InstrumentVersion
from alongside.surveys.selectors import current_version
from alongside.surveys.services import instruments_install


def installed(slug: str = "who-5") -> InstrumentVersion:
    """Install the shipped definitions (once) and answer the current version of ``slug``."""
    instruments_install()
    return current_version(slug)


WHO5_ANSWERS = {"1": 3, "2": 2, "3": 4, "4": 1, "5": 3}  # raw 13, score 52
