"""Private files: records people uploaded, kept outside the web root.

Nothing here has a URL; a view reads the file after its permission check and sends it
as an attachment. The folder is ``PRIVATE_FILES_DIR`` (``ALONGSIDE_PRIVATE_FILES_DIR``,
default ``var/private``), read on every use so tests can point it elsewhere.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="alongside.core.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_FILES_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view.")


private_storage = PrivateStorage()
