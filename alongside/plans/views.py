"""Adding and editing participant-centered goals."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, get_or_404, scoped
from alongside.core.web import form_page
from alongside.engagements.selectors import closed_notice, engagement_get_for
from alongside.plans import services
from alongside.plans.forms import GoalEditForm, GoalForm
from alongside.plans.models import Goal


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def goal_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = GoalForm(request.POST or None)
    read_record(request, "goal form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.goal_create(engagement=engagement, actor=request.user, **data),
        title=_("A goal for %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=back + "#goals",
        done_message=_("Goal added."),
        blocked=closed_notice(engagement),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def goal_edit(request, pk: int):
    goals = scoped(
        Goal.objects.select_related("engagement__participant"),
        request.user,
        request.organization,
        via="engagement",
    )
    goal = get_or_404(goals, pk=pk)
    engagement = goal.engagement
    form = GoalEditForm(request.POST or None, instance=goal, initial={"version": goal.version})
    read_record(request, "goal", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])

    def save(data):
        version = data.pop("version")
        return services.goal_update(
            goal=goal, actor=request.user, expected_version=version, **data
        )

    return form_page(
        request,
        form,
        save=save,
        title=_("Edit goal"),
        back_url=back,
        done_url=back + "#goals",
        done_message=_("Goal saved."),
        blocked=closed_notice(engagement),
    )
