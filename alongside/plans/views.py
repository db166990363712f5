"""Adding and editing participant-centered goals."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, get_or_404, scoped
from alongside.core.web import form_page
from alongside.engagements.selectors import closed_notice
from alongside.engagements.web import engagement_form_page
from alongside.plans import services
from alongside.plans.forms import GoalEditForm, GoalForm
from alongside.plans.models import Goal


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def goal_create(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=lambda engagement, data: GoalForm(data),
        save=lambda engagement, data: services.goal_create(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("A goal for %(name)s"),
        anchor="goals",
        done_message=_("Goal added."),
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
