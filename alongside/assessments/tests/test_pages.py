"""The assessment pages: record with the facts shown, change, read, sign, PDF, the portal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.assessments.models import Assessment, AssessmentSignature, GoalReview, TierRule
from alongside.assessments.services import assessment_sign, assessment_update, signature_state
from alongside.assessments.testing import a_check_in, a_score, an_assessment, days_ago
from alongside.audit.models import AccessLog
from alongside.engagements.models import Engagement
from alongside.plans.testing import a_goal
from conftest import PASSWORD, open_engagement


def _form(**changes) -> dict:
    data = {
        "tier": "2",
        "rationale": "Holding steady after a hard month.",
        "plan_choice": "change_time",
        "ongoing_plan": "Meet every other week.",
        "achievable_goals": "Back to the choir.",
        "actions": "Ask about the Tuesday rehearsal.",
        "measure": "Rehearsals attended.",
        "corrections": "Talk about it at the next meeting.",
        "assessed_on": timezone.localdate().isoformat(),
        "reassess_on": (timezone.localdate() + datetime.timedelta(days=180)).isoformat(),
    }
    data.update(changes)
    return data


def _create_url(world) -> str:
    return reverse("assessments:create", args=[world.engagement.pk])


def test_the_form_shows_the_facts_and_the_suggested_tier(client, world):
    a_score(world.engagement, world.supporter, "barc-10", 38, days_ago(15))
    a_score(world.engagement, world.supporter, "barc-10", 49, days_ago(2), "remission_level")
    goal = a_goal(world.engagement, world.supporter, "Sing in the choir")
    a_check_in(goal, world.supporter, 4, days_ago(1))
    client.force_login(world.supporter)

    response = client.get(_create_url(world))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tier 1 · making progress" in page
    assert "BARC-10 rose from 38 to 49 (≥ 47)" in page
    assert "47 or more" in page  # the band, for the team
    assert "Sing in the choir" in page
    assert response.context["form"].initial["tier"] == 1  # the suggestion, to confirm
    assert AccessLog.objects.filter(what="assessment form").exists()


def test_recording_leads_to_the_assessment(client, world):
    client.force_login(world.supporter)

    response = client.post(_create_url(world), _form())

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    assert assessment.plan_choice == "change_time"
    assert assessment.measure == "Rehearsals attended."
    world.engagement.refresh_from_db()
    assert world.engagement.assessment_due_on == assessment.reassess_on


def test_the_shortest_form_still_records(client, world):
    client.force_login(world.coordinator)

    response = client.post(
        _create_url(world),
        {"tier": 1, "rationale": "Weekly.", "assessed_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 302
    assert Assessment.objects.get().plan_choice == "stay_course"


@pytest.mark.parametrize(
    "changes", [{"tier": "7"}, {"rationale": ""}, {"assessed_on": "soon"}, {"plan_choice": "x"}]
)
def test_bad_input_answers_400_and_saves_nothing(client, world, changes):
    client.force_login(world.supporter)

    response = client.post(_create_url(world), _form(**changes))

    assert response.status_code == 400
    assert not Assessment.objects.exists()


def test_an_override_without_a_reason_answers_409(client, world):
    a_score(world.engagement, world.supporter, "who-5", 40, days_ago(2))  # suggests tier 2
    client.force_login(world.supporter)

    response = client.post(_create_url(world), _form(tier="1"))

    assert response.status_code == 409
    assert "Say why you chose another" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_re_assessment_date_before_the_assessment_answers_409(client, world):
    client.force_login(world.supporter)

    response = client.post(_create_url(world), _form(reassess_on=days_ago(1).isoformat()))

    assert response.status_code == 409
    assert not Assessment.objects.exists()


def test_an_engagement_not_yet_active_shows_why_and_refuses(client, world):
    Engagement.objects.filter(pk=world.engagement.pk).update(state="onboarding")
    client.force_login(world.supporter)

    assert "once the engagement is active" in client.get(_create_url(world)).content.decode()
    assert client.post(_create_url(world), _form()).status_code == 409


def test_the_detail_page_shows_what_was_recorded(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.supervisor)

    response = client.get(reverse("assessments:detail", args=[assessment.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Call the union rep by Friday." in page
    assert "to sign" in page
    assert reverse("assessments:edit", args=[assessment.pk]) not in page  # reads only
    assert AccessLog.objects.filter(what="assessment").exists()


def test_a_change_with_a_stale_version_answers_409(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    assessment_update(
        assessment=assessment, actor=world.coordinator, expected_version=1, measure="Monthly"
    )
    client.force_login(world.supporter)
    url = reverse("assessments:edit", args=[assessment.pk])

    response = client.post(url, _form(version=1, measure="Weekly"))

    assert response.status_code == 409
    assert "Someone else changed this assessment" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.measure == "Monthly"


def test_a_change_is_saved(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.supporter)
    url = reverse("assessments:edit", args=[assessment.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _form(version=1, measure="Weekly"))

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.measure == "Weekly" and assessment.version == 2


def _signed_by_both(world, assessment):
    for role, name, signer in [
        ("participant", "Pat Rivera", world.participant_user),
        ("supporter", "Sunny Demo", world.supporter),
    ]:
        assessment_sign(
            assessment=assessment,
            role=role,
            typed_name=name,
            shown_hash=assessment.sha256,
            actor=world.supporter,
            signer=signer,
            method="in_person",
        )


def test_signed_by_both_the_edit_page_refuses(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    _signed_by_both(world, assessment)
    client.force_login(world.supporter)
    url = reverse("assessments:edit", args=[assessment.pk])

    assert "can no longer be changed" in client.get(url).content.decode()
    assert client.post(url, _form(version=1)).status_code == 409


def _sign_form(client, url, name, password) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    return {
        "text_hash": form.initial["text_hash"],
        "opened": form.initial["opened"],
        "typed_name": name,
        "password": password,
    }


def test_the_supporter_signs_with_their_password(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.supporter)
    url = reverse("assessments:sign", args=[assessment.pk, "supporter"])

    wrong = client.post(url, {**_sign_form(client, url, "Sunny Demo", "nope")})
    right = client.post(url, _sign_form(client, url, "Sunny Demo", PASSWORD))

    assert wrong.status_code == 400
    assert right.status_code == 302
    assert signature_state(assessment)["supporter"].signer == world.supporter


def test_the_participant_signs_in_person_with_their_portal_password(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.supporter)
    url = reverse("assessments:sign", args=[assessment.pk, "participant"])

    response = client.post(url, _sign_form(client, url, "Pat Rivera", PASSWORD))

    assert response.status_code == 302
    signature = AssessmentSignature.objects.get()
    assert signature.signer == world.participant_user and signature.recorded_by == world.supporter


def test_a_name_the_service_refuses_answers_409_and_signs_nothing(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.supporter)
    url = reverse("assessments:sign", args=[assessment.pk, "participant"])

    response = client.post(url, _sign_form(client, url, "Someone Else", PASSWORD))

    assert response.status_code == 409
    assert "full name as the program has it" in response.content.decode()
    assert not AssessmentSignature.objects.exists()


def test_only_the_engagements_supporter_signs_as_supporter(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.coordinator)

    response = client.get(reverse("assessments:sign", args=[assessment.pk, "supporter"]))

    assert "peer supporter, Sunny Demo, signs as supporter." in response.content.decode()


def test_an_unknown_role_answers_404(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.supporter)

    assert client.get(f"/engagements/assessments/{assessment.pk}/sign/witness/").status_code == 404


def test_the_pdf_downloads(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    _signed_by_both(world, assessment)
    client.force_login(world.coordinator)

    response = client.get(reverse("assessments:pdf", args=[assessment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# The portal


def test_the_participant_reads_signs_and_downloads_their_assessment(client, world):
    assessment = an_assessment(world.engagement, world.supporter)
    client.force_login(world.participant_user)

    listing = client.get(reverse("assessments:portal_list")).content.decode()
    url = reverse("assessments:portal_sign", args=[assessment.pk])
    signed = client.post(url, _sign_form(client, url, "Pat Rivera", PASSWORD))
    pdf = client.get(reverse("assessments:portal_pdf", args=[assessment.pk]))

    assert "Call the union rep by Friday." in listing
    assert "47 or more" not in listing
    assert signed.status_code == 302
    assert AssessmentSignature.objects.get().method == "portal"
    assert pdf.status_code == 200


def test_another_participants_assessment_is_not_found_in_the_portal(client, world):
    other = open_engagement(world.other_participant, world.respite, world.supporter)
    assessment = an_assessment(other, world.supporter)
    client.force_login(world.participant_user)

    assert client.get(reverse("assessments:portal_sign", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("assessments:portal_pdf", args=[assessment.pk])).status_code == 404
    assert "union rep" not in client.get(reverse("assessments:portal_list")).content.decode()


# Goal reviews and the engagement page


def test_a_goal_review_is_recorded_from_its_page(client, world):
    client.force_login(world.supporter)
    url = reverse("assessments:goal_review_create", args=[world.engagement.pk])

    response = client.post(
        url, {"reviewed_on": timezone.localdate().isoformat(), "note": "The walk goal is done."}
    )

    assert response.status_code == 302
    assert GoalReview.objects.get().note == "The walk goal is done."
    assert client.post(url, {"reviewed_on": "tomorrow"}).status_code == 400


def test_the_engagement_page_lists_assessments_reviews_and_due_dates(
    client, world, django_assert_max_num_queries
):
    an_assessment(world.engagement, world.supporter)
    client.force_login(world.supporter)
    url = reverse("engagements:detail", args=[world.engagement.pk])

    page = client.get(url).content.decode()

    assert "Tier 2 · maintaining position" in page
    assert "Next goal review due" in page
    assert reverse("assessments:goal_review_create", args=[world.engagement.pk]) in page
    for _ in range(5):
        an_assessment(world.engagement, world.supporter, assessed_on=days_ago(3))
    with django_assert_max_num_queries(60):
        assert client.get(url).status_code == 200


def test_the_portal_list_costs_the_same_queries_for_one_or_many(
    client, world, django_assert_max_num_queries
):
    an_assessment(world.engagement, world.supporter)
    client.force_login(world.participant_user)
    url = reverse("assessments:portal_list")
    client.get(url)
    for days in range(2, 8):
        an_assessment(world.engagement, world.supporter, assessed_on=days_ago(days))

    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# The admin


@pytest.fixture
def staff_admin(world):
    world.admin.is_staff = True
    world.admin.save()
    return world.admin


def test_an_organization_admin_tunes_their_tier_rule(client, world, staff_admin):
    client.force_login(staff_admin)
    url = reverse("admin:assessments_tierrule_add")
    data = {
        "organization": world.org.pk,
        "recovery_capital_threshold": 45,
        "wellbeing_floor": 50,
        "wellbeing_rise": 10,
        "progress_survey_good": "3.5",
        "progress_survey_low": "2.5",
        "goal_rating_progress": 4,
        "goals_progressing_share": 50,
        "attendance_floor": 60,
        "attendance_min_meetings": 3,
        "min_progress_signs": 2,
        "exit_goals_achieved_share": 75,
    }

    response = client.post(url, data)

    assert response.status_code == 302
    assert TierRule.objects.get().recovery_capital_threshold == 45
    foreign = client.post(url, {**data, "organization": world.other_org.pk})
    assert foreign.status_code == 200  # not a choice: the form shows the error
    assert TierRule.objects.count() == 1


def test_the_levels_of_the_progress_survey_must_be_in_order(client, world, staff_admin):
    client.force_login(staff_admin)
    rule = TierRule(organization=world.org, progress_survey_low="4.0", progress_survey_good="3.0")

    with pytest.raises(Exception, match="cannot be above"):
        rule.full_clean()


def test_an_admin_does_not_see_another_organizations_rule(client, world, staff_admin):
    theirs = TierRule.objects.create(organization=world.other_org)
    client.force_login(staff_admin)

    response = client.get(reverse("admin:assessments_tierrule_change", args=[theirs.pk]))

    assert response.status_code == 302


def test_an_assessment_recorded_before_the_rework_still_shows(client, world):
    old = Assessment.objects.create(
        engagement=world.engagement,
        tier=1,
        rationale="Steady, from the old form.",
        assessed_on=days_ago(5),
        assessed_by=world.supporter,
    )
    client.force_login(world.supporter)

    page = client.get(reverse("assessments:detail", args=[old.pk])).content.decode()

    assert "Steady, from the old form." in page
    assert "No suggestion" in page
