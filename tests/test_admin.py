"""Admins configure their own organization in the Django admin, and see no clinical records."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from alongside.organizations.models import Program


@pytest.fixture
def staff_admin(world):
    world.admin.is_staff = True
    world.admin.save()
    return world.admin


def test_an_admin_lists_only_their_organizations_programs(client, world, staff_admin):
    client.force_login(staff_admin)
    page = client.get(reverse("admin:organizations_program_changelist")).content.decode()
    assert "Community Peer Support" in page
    assert "Peer Support</a>" not in page.replace("Community Peer Support</a>", "")


def test_an_admin_cannot_open_another_organizations_program(client, world, staff_admin):
    client.force_login(staff_admin)
    url = reverse("admin:organizations_program_change", args=[world.other_program.pk])
    response = client.get(url)
    assert response.status_code == 302  # Django admin: "doesn't exist", back to the index


def _requirement_forms(world) -> dict:
    forms = {
        "document_requirements-TOTAL_FORMS": 2,
        "document_requirements-INITIAL_FORMS": 2,
        "document_requirements-MIN_NUM_FORMS": 0,
        "document_requirements-MAX_NUM_FORMS": 1000,
    }
    for i, requirement in enumerate(world.program.document_requirements.all()):
        prefix = f"document_requirements-{i}-"
        forms[prefix + "id"] = requirement.pk
        forms[prefix + "program"] = world.program.pk
        forms[prefix + "template"] = requirement.template_id
        forms[prefix + "resign_on_new_version"] = "on"
        if requirement.template_id == world.contract.pk:
            forms[prefix + "DELETE"] = "on"
    return forms


def test_an_admin_changes_a_programs_guideline(client, world, staff_admin):
    client.force_login(staff_admin)
    url = reverse("admin:organizations_program_change", args=[world.program.pk])
    response = client.post(
        url,
        {
            "organization": world.org.pk,
            "name": world.program.name,
            "description": "",
            "duration_guideline_days": 180,
            "assessment_interval_months": 6,
            "goal_review_interval_months": 2,
            "concluding_checklist_days": 45,
            "service_unit_minutes": 15,
            # It keeps the Release of Liability and stops requiring the contract.
            **_requirement_forms(world),
            "is_active": "on",
            "matching_weights-TOTAL_FORMS": 1,
            "matching_weights-INITIAL_FORMS": 0,
            "matching_weights-MIN_NUM_FORMS": 0,
            "matching_weights-MAX_NUM_FORMS": 1,
            "matching_weights-0-language": 60,
            "matching_weights-0-lived_experience": 10,
            "matching_weights-0-lived_experience_max": 30,
            "matching_weights-0-gender": 5,
            "matching_weights-0-place": 5,
            "matching_weights-0-capacity": 5,
            "matching_weights-0-availability": 25,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    program = Program.objects.get(pk=world.program.pk)
    assert program.duration_guideline_days == 180
    assert [r.template for r in program.document_requirements.all()] == [world.release]
    assert program.matching_weights.language == 60
    assert program.matching_weights.availability == 25


def test_no_clinical_model_is_in_the_admin():
    clinical = {
        "participants.participant",
        "referrals.referral",
        "engagements.engagement",
        "meetings.meeting",
        "meetings.note",
        "plans.goal",
        "assessments.assessment",
        "exits.exit",
        "concerns.concern",
    }
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert not clinical & registered


def test_an_admin_adds_a_user_with_a_role(client, world, staff_admin):
    client.force_login(staff_admin)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "sunny" in page
    assert "olga" not in page  # another organization
    assert ">pat<" not in page  # being a participant is confidential


def test_a_superuser_still_sees_participant_accounts(client, world, staff_admin):
    staff_admin.is_superuser = True
    staff_admin.save()
    client.force_login(staff_admin)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert ">pat<" in page
