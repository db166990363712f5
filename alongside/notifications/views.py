"""The signed-in person's notices."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from alongside.core.web import page_of
from alongside.notifications.models import Notification
from alongside.notifications.services import notifications_read


@require_GET
@login_required
def notification_list(request):
    page = page_of(Notification.objects.filter(user=request.user), request)
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def notification_read_all(request):
    notifications_read(user=request.user)
    return redirect("notifications:list")
