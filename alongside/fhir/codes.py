"""How Alongside's words map to FHIR codes (docs/fhir.md has the same tables).

Where FHIR has a standard code system we use it; what FHIR has no word for (a stage of
change, a wellness dimension, a meeting missed) is coded in Alongside's own systems under
the ``urn:alongside:fhir:`` namespace, so a recipient can tell them apart from standard
codes and still read the ``display``.
"""

from __future__ import annotations

import uuid

# Our own code systems and extensions (URNs: no host is claimed or contacted).
LOCAL = "urn:alongside:fhir"
SYSTEM = {
    "meeting-status": f"{LOCAL}:CodeSystem/meeting-status",
    "meeting-mode": f"{LOCAL}:CodeSystem/meeting-mode",
    "wellness-dimension": f"{LOCAL}:CodeSystem/wellness-dimension",
    "stage-of-change": f"{LOCAL}:CodeSystem/stage-of-change",
    "approach": f"{LOCAL}:CodeSystem/approach",
    "plan-style": f"{LOCAL}:CodeSystem/plan-style",
    "referral-source": f"{LOCAL}:CodeSystem/referral-source",
    "consent-category": f"{LOCAL}:CodeSystem/consent-category",
    "consent-purpose": f"{LOCAL}:CodeSystem/consent-purpose",
    "role": f"{LOCAL}:CodeSystem/role",
    "program": f"{LOCAL}:CodeSystem/program",
    "service": f"{LOCAL}:CodeSystem/service",
}
EXTENSION = {
    "meeting-status": f"{LOCAL}:StructureDefinition/meeting-status",
    "stage-of-change": f"{LOCAL}:StructureDefinition/stage-of-change",
    "approach": f"{LOCAL}:StructureDefinition/approach",
    "survey-score": f"{LOCAL}:StructureDefinition/survey-score",
    "survey-band": f"{LOCAL}:StructureDefinition/survey-band",
    "redisclosure-notice": f"{LOCAL}:StructureDefinition/redisclosure-notice",
    "consent-scope": f"{LOCAL}:StructureDefinition/consent-scope",
    "disclosure": f"{LOCAL}:StructureDefinition/disclosure",
}
QUESTIONNAIRE_URL = f"{LOCAL}:Questionnaire/"


def identifier_system(organization_slug: str, kind: str) -> str:
    """Where our record ids are unique: one organization's records of one kind."""
    return f"{LOCAL}:{organization_slug}:{kind}"


# Stable ids: the same record answers the same urn:uuid in every export, so a recipient
# can recognise a resource it received before.
_NAMESPACE = uuid.UUID("6f5b8f0e-1c55-4d0c-9a53-7a1f2c3d4e5f")


def stable_uuid(organization_slug: str, kind: str, pk) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{organization_slug}/{kind}/{pk}"))


# Standard systems.
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
V3_CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
RESOURCE_TYPES = "http://hl7.org/fhir/resource-types"
LOINC = "http://loinc.org"
BCP47 = "urn:ietf:bcp:47"
PART2_POLICY = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"

# Engagement state → EpisodeOfCare.status. Before onboarding nothing has started yet;
# onboarding, active and exiting are all current support.
EPISODE_STATUS = {
    "referred": "planned",
    "matched": "planned",
    "onboarding": "active",
    "active": "active",
    "exiting": "active",
    "closed": "finished",
}

# Meeting status → Encounter.status. R4 Encounter has no "no-show": a missed meeting is
# "cancelled" with our own status kept in the meeting-status extension.
ENCOUNTER_STATUS = {
    "planned": "planned",
    "held": "finished",
    "cancelled": "cancelled",
    "missed": "cancelled",
}
# Meeting mode → Encounter.class (v3 ActCode); a meeting at home is home health.
ENCOUNTER_CLASS = {
    "in_person": ("AMB", "ambulatory"),
    "phone": ("VR", "virtual"),
    "video": ("VR", "virtual"),
    "text": ("VR", "virtual"),
}
HOME_CLASS = ("HH", "home health")

# Referral status → ServiceRequest.status; urgency → ServiceRequest.priority.
SERVICE_REQUEST_STATUS = {
    "new": "active",
    "accepted": "active",
    "waitlisted": "on-hold",
    "declined": "revoked",
    "matched": "completed",
}
SERVICE_REQUEST_PRIORITY = {"routine": "routine", "soon": "urgent", "urgent": "asap"}

# Goal status → (Goal.lifecycleStatus, Goal.achievementStatus code).
GOAL_STATUS = {
    "active": ("active", "in-progress"),
    "achieved": ("completed", "achieved"),
    "set_aside": ("on-hold", None),
}

# Consent status → Consent.status (R4): expired and revoked both no longer apply.
CONSENT_STATUS = {"active": "active", "expired": "inactive", "revoked": "inactive"}
# Consent purposes with a v3 PurposeOfUse code; the others are in our consent-purpose system.
PURPOSE_OF_USE = {
    "treatment": ("TREAT", "treatment"),
    "payment": ("HPAYMT", "healthcare payment"),
    "operations": ("HOPERAT", "healthcare operations"),
    "at_request": ("PATRQT", "patient requested"),
}
# Consent categories → the resource types that carry them in an export.
CATEGORY_RESOURCES = {
    "attendance": ("EpisodeOfCare", "Encounter"),
    "goals": ("Goal", "CarePlan"),
    "surveys": ("QuestionnaireResponse", "Questionnaire"),
    "referral": ("ServiceRequest",),
}

# Languages the records hold → BCP 47 (ASL's code is "ase").
LANGUAGE_TAG = {"asl": "ase"}
