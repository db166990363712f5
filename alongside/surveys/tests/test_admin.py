"""Organization admins read instruments and their versions in the admin; nobody edits them."""

from __future__ import annotations

from django.urls import reverse

from alongside.surveys.testing import installed


def test_an_admin_reads_instruments_and_versions_but_cannot_add_or_change(client, world):
    version = installed("who-5")
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)

    listing = client.get(reverse("admin:surveys_instrument_changelist"))
    assert listing.status_code == 200 and "WHO-5 Well-Being Index" in listing.content.decode()
    page = client.get(reverse("admin:surveys_instrumentversion_change", args=[version.pk]))
    assert page.status_code == 200
    assert "I have felt cheerful and in good spirits" in page.content.decode()
    assert client.get(reverse("admin:surveys_instrument_add")).status_code == 403
    changed = client.post(
        reverse("admin:surveys_instrumentversion_change", args=[version.pk]), {"retired": "on"}
    )
    assert changed.status_code == 403
    version.refresh_from_db()
    assert not version.retired


def test_a_staff_user_without_an_admin_role_does_not_see_them(client, world):
    world.coordinator.is_staff = True
    world.coordinator.save()
    client.force_login(world.coordinator)
    assert client.get(reverse("admin:surveys_instrument_changelist")).status_code == 403
