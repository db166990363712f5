"""The JSON API v1, mounted at /api/v1/ (design.md §5, §7).

django-ninja: typed schemas give validation and the OpenAPI document for free; it is
maintained and Django-native (plain views, the same middleware and permission functions).
"""

from alongside.api import (
    agreements,
    auth,
    consents,
    engagements,
    errors,
    fhir,
    goals,
    instruments,
    meetings,
    participants,
    referrals,
    responses,
)

api = errors.JsonErrorsAPI(
    title="Alongside API",
    version="1",
    description="Peer support records. Every read of participant data is logged.",
    urls_namespace="api",
    # The interactive docs page loads Swagger UI from a CDN; no page may use a third-party host.
    docs_url=None,
    auth=[auth.TokenAuth(), auth.SessionAuth()],
)
errors.register(api)
api.add_router("/auth", auth.router)
api.add_router("/participants", participants.router)
api.add_router("/referrals", referrals.router)
api.add_router("/engagements", engagements.router)
api.add_router("/consents", consents.router)
api.add_router("/agreements", agreements.router)
api.add_router("/meetings", meetings.router)
api.add_router("/goals", goals.router)
api.add_router("/responses", responses.router)
api.add_router("/instruments", instruments.router)
api.add_router("/concerns", "alongside.api.concerns.router")
api.add_router("/assessments", "alongside.api.assessments.router")
api.add_router("/exits", "alongside.api.exits.router")
api.add_router("/reports", "alongside.api.reports.router")
# FHIR export: a second router on each prefix (GET .../{id}/fhir; docs/fhir.md).
api.add_router("/participants", fhir.participant_router)
api.add_router("/engagements", fhir.engagement_router)
