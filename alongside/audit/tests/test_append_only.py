"""The audit event and access log tables are append-only through the application."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from alongside.audit.admin import AccessLogAdmin
from alongside.audit.models import AccessLog, AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def log_row(**fields) -> AccessLog:
    return AccessLog.objects.create(
        method="GET", path="/engagements/1/", what="engagement", participant_ids=[1], **fields
    )


def test_a_new_access_log_row_is_created():
    row = log_row()
    assert AccessLog.objects.get(pk=row.pk).seq is None


def test_it_refuses_to_save_an_existing_access_log_row():
    row = log_row()
    row.path = "/elsewhere/"
    with pytest.raises(AppendOnlyError, match="append-only"):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.save(update_fields=["path"])
    assert AccessLog.objects.get(pk=row.pk).path == "/engagements/1/"


def test_it_refuses_to_delete_an_access_log_row():
    row = log_row()
    with pytest.raises(AppendOnlyError, match="delete"):
        row.delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_it_refuses_deleting_access_log_rows_in_bulk():
    row = log_row()
    with pytest.raises(AppendOnlyError, match="delete"):
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError, match="delete"):
        AuditEvent.objects.all().delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_it_refuses_queryset_updates_of_the_access_log():
    row = log_row()
    with pytest.raises(AppendOnlyError, match="update"):
        AccessLog.objects.filter(pk=row.pk).update(what="nothing")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().update(seq=5)
    row.what = "nothing"
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.bulk_update([row], ["what"])
    assert AccessLog.objects.get(pk=row.pk).what == "engagement"


def test_it_refuses_changes_to_audit_events():
    event = AuditEvent.objects.create(action="goal.created", object_type="goal", object_id="1")
    event.action = "goal.deleted"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="goal.deleted")
    assert AuditEvent.objects.get(pk=event.pk).action == "goal.created"


def test_the_admin_shows_the_logs_read_only_and_to_superusers_only(django_user_model):
    model_admin = AccessLogAdmin(AccessLog, admin.site)
    request = RequestFactory().get("/")
    request.user = django_user_model(username="root", is_superuser=True, is_staff=True)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    request.user = django_user_model(username="orgadmin", is_staff=True)
    assert not model_admin.has_view_permission(request)
    assert not model_admin.has_module_permission(request)
