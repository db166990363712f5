"""Notices reach the right person, in the app and by email, without participant names."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from alongside.notifications.models import Notification
from alongside.notifications.services import notify


def test_a_notice_is_listed_for_its_person_only(client, world, django_capture_on_commit_callbacks):
    world.supporter.email = "sunny@example.org"
    world.supporter.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=world.supporter,
            organization=world.org,
            text="You have a new participant to welcome.",
            url=reverse("engagements:detail", args=[world.engagement.pk]),
        )
    assert len(mail.outbox) == 1
    assert "new participant" in mail.outbox[0].body
    client.force_login(world.supporter)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "new participant to welcome" in page
    client.force_login(world.other_supporter)
    assert "new participant" not in client.get(reverse("notifications:list")).content.decode()


def test_no_email_without_an_address(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=world.other_supporter, organization=world.org, text="Hello")
    assert mail.outbox == []


def test_marking_read_clears_the_unread_count(client, world):
    notify(user=world.supporter, organization=world.org, text="One", email=False)
    client.force_login(world.supporter)
    assert '<span class="badge">1</span>' in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=world.supporter, read_at__isnull=True).exists()
