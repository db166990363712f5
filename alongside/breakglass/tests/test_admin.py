"""Grants and reviews in the Django admin: read-only, each admin their organization's."""

from __future__ import annotations

from django.urls import reverse

from alongside.accounts.models import Role
from alongside.breakglass.services import emergency_access_grant
from conftest import grant, make_user

from .conftest import REASON


def test_an_admin_reads_their_organizations_grants_and_changes_none(client, world, rae):
    access = emergency_access_grant(
        actor=world.coordinator, organization=world.org, participant=rae, reason=REASON
    )
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)

    listing = client.get(reverse("admin:breakglass_emergencyaccess_changelist"))
    assert listing.status_code == 200 and "Rae Quill" in listing.content.decode()
    assert client.get(reverse("admin:breakglass_emergencyaccess_add")).status_code == 403
    delete = reverse("admin:breakglass_emergencyaccess_delete", args=[access.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403

    other = make_user("otto", "Otto")
    other.is_staff = True
    other.save()
    grant(other, world.other_org, Role.ADMIN)
    client.force_login(other)
    listing = client.get(reverse("admin:breakglass_emergencyaccess_changelist"))
    assert "Rae Quill" not in listing.content.decode()
