"""For tests elsewhere (the access matrix, the demo): a concluding checklist worked through."""

from __future__ import annotations

from alongside.exits.models import ConcludingStep, Exit
from alongside.exits.services import Step, StepStatus, records_open, step_record
from alongside.surveys.services import instruments_install


def checklist_done(engagement, actor, *, not_possible_reason: str = "") -> list[ConcludingStep]:
    """Record every open step of the engagement's concluding checklist through the service.

    With ``not_possible_reason`` (abrupt endings only), the steps that cannot be done now
    (records still in draft) are recorded as not possible with that reason instead.
    """
    instruments_install()  # the exit survey must be installed to be offered
    done = set(
        ConcludingStep.objects.filter(engagement=engagement, status=StepStatus.DONE).values_list(
            "step", flat=True
        )
    )
    exit_ = Exit.objects.filter(engagement=engagement).first()
    abrupt = exit_ is not None and exit_.is_abrupt
    rows = []
    for step in Step.values:
        if step in done:
            continue
        blocked = step == Step.RECORDS_FINALIZED and records_open(engagement)
        status = StepStatus.NOT_POSSIBLE if blocked and abrupt and not_possible_reason else "done"
        rows.append(
            step_record(
                engagement=engagement,
                step=step,
                actor=actor,
                status=status,
                note=not_possible_reason if status == StepStatus.NOT_POSSIBLE else "",
            )
        )
    return rows
