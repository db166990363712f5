"""Uploaded files live outside every web root and leave only through a permission check."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.static import serve

from alongside.agreements.services import document_record_paper
from alongside.core.storage import private_storage

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _views(resolver, found=None) -> list:
    found = [] if found is None else found
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            _views(pattern, found)
        elif isinstance(pattern, URLPattern):
            found.append(pattern.callback)
    return found


@pytest.fixture
def scanned(world):
    return document_record_paper(
        engagement=world.engagement,
        version=world.release.current,
        signer_name="Ana Rivera",
        role="guardian",
        relationship="Mother",
        signed_on=timezone.localdate(),
        actor=world.supporter,
        scan=SimpleUploadedFile("scan.pdf", SCAN),
    )


@pytest.mark.parametrize("folder", ["test", "default"])
def test_the_private_folder_is_in_no_web_root(folder):
    private = Path(
        settings.PRIVATE_FILES_DIR if folder == "test" else Path(settings.VAR_DIR) / "private"
    )
    roots = [Path(settings.STATIC_ROOT)]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.append(Path(storage.location))
    for root in roots:
        assert not _inside(private, root), f"{private} is under the web root {root}"
    # Nothing is configured to serve media: no MEDIA_URL, no MEDIA_ROOT.
    assert not settings.MEDIA_URL.strip("/") and not settings.MEDIA_ROOT


def test_no_url_serves_files_from_disk():
    assert serve not in _views(get_resolver())


def test_private_files_have_no_url():
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url("signed-documents/x.pdf")


def test_a_stored_scan_is_not_reachable_by_its_path(client, world, scanned):
    client.force_login(world.supporter)
    name = scanned.scan.name
    assert (Path(settings.PRIVATE_FILES_DIR) / name).read_bytes() == SCAN
    for guess in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/private/{name}"):
        response = client.get(guess)
        assert response.status_code == 404, guess
        assert SCAN not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_scan_leaves_as_an_attachment_never_sniffed(client, world, scanned):
    client.force_login(world.supporter)
    response = client.get(reverse("agreements:scan", args=[scanned.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SCAN
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("persona", ["other_supporter", "outsider"])
def test_a_scan_out_of_scope_is_not_found(client, world, scanned, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("agreements:scan", args=[scanned.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["admin", "participant_user"])
def test_a_scan_needs_the_capability(client, world, scanned, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("agreements:scan", args=[scanned.pk])).status_code in (403, 404)
