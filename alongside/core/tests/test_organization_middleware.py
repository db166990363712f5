"""The middleware reads memberships once: it picks the organization and primes roles_of."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from alongside.accounts.models import Role, User
from alongside.core.middleware import SESSION_ORGANIZATION_KEY, OrganizationMiddleware
from alongside.core.permissions import Cap, capabilities_of, roles_of
from conftest import grant


def _through_middleware(user, preferred_id=None):
    request = RequestFactory().get("/")
    # As AuthenticationMiddleware leaves it: a lazy user, the object every later check sees.
    request.user = SimpleLazyObject(lambda: user)
    request.session = {SESSION_ORGANIZATION_KEY: preferred_id} if preferred_id else {}
    OrganizationMiddleware(lambda request: HttpResponse())(request)
    return request


@pytest.fixture
def cora(world):
    """Cora also supervises at Riverbend and administers Elsewhere Recovery."""
    grant(world.coordinator, world.org, Role.SUPERVISOR)
    grant(world.coordinator, world.other_org, Role.ADMIN)
    return User.objects.get(pk=world.coordinator.pk)


def test_roles_of_asks_nothing_after_the_middleware(world, cora, django_assert_num_queries):
    with django_assert_num_queries(1):
        request = _through_middleware(cora, world.org.pk)

    with django_assert_num_queries(0):
        roles = roles_of(request.user, request.organization)
        caps = capabilities_of(request.user, request.organization)

    assert request.organization == world.org
    assert roles == {Role.COORDINATOR, Role.SUPERVISOR}
    assert Cap.MATCHING_ASSIGN in caps
    # What the middleware remembered is what roles_of would have read.
    fresh = User.objects.get(pk=cora.pk)
    assert roles_of(fresh, world.org) == roles


def test_without_a_preference_it_picks_the_first_organization_by_name(world, cora):
    request = _through_middleware(cora)

    assert request.organization == world.other_org  # "Elsewhere" before "Riverbend"
    assert roles_of(request.user, request.organization) == {Role.ADMIN}


def test_a_preference_the_user_does_not_belong_to_falls_back(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        request = _through_middleware(world.supporter, world.other_org.pk)

    assert request.organization == world.org
    with django_assert_num_queries(0):
        assert roles_of(request.user, request.organization) == {Role.SUPPORTER}


def test_someone_with_no_membership_has_no_organization(db):
    user = User.objects.create_user(username="nobody", password="x")

    request = _through_middleware(user)

    assert request.organization is None
    assert roles_of(request.user, request.organization) == frozenset()
