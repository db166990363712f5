"""Django for a benchmark run as a script: on a throwaway SQLite file, or on DATABASE_URL."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(database: Path | None) -> None:
    """Django on the throwaway SQLite file, or on DATABASE_URL when ``database`` is None."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    os.environ["ALONGSIDE_DEBUG"] = "0"
    os.environ["ALONGSIDE_HTTPS"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if database is not None:
        os.environ["ALONGSIDE_SQLITE_PATH"] = str(database)
        os.environ.pop("DATABASE_URL", None)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
