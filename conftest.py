"""Fixtures shared by every test: the five personas of the access-control suites."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from rapport.identity.models import Role, Team, User
from tests.browser import chromium, page  # noqa: F401  (fixtures of the browser tests)
from tests.redis_server import redis_server  # noqa: F401  (a fixture for every test)


@dataclass
class Personas:
    owner: User
    teammate: User
    other: User
    manager: User
    admin: User
    team: Team
    other_team: Team


@pytest.fixture
def personas(db: None) -> Personas:
    """owner and teammate share a team; manager's role is above owner's; other is outside."""
    head = Role.objects.create(name="Head of sales")
    rep = Role.objects.create(name="Sales rep", parent=head)
    owner = User.objects.create_user("owner", "owner@example.com", "pw", role=rep)
    teammate = User.objects.create_user("teammate", "mate@example.com", "pw", role=rep)
    other = User.objects.create_user("other", "other@example.com", "pw", role=rep)
    manager = User.objects.create_user("manager", "manager@example.com", "pw", role=head)
    admin = User.objects.create_superuser("admin", "admin@example.com", "pw")
    team = Team.objects.create(name="East")
    team.members.add(owner, teammate)
    other_team = Team.objects.create(name="West")
    other_team.members.add(other)
    return Personas(owner, teammate, other, manager, admin, team, other_team)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
