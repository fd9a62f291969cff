"""The one place that decides which records a user may see or change.

``restriction_q`` turns a user, a record type and an action into a ``Q`` over that record
type's model; ``RecordQuerySet.restrict`` (rapport.framework.base_models) is its only caller.
What a user may reach is computed once per user object and kept on it, so one request pays for
it once.
"""

from __future__ import annotations

import contextvars
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import BigIntegerField, F, Func, Model, Q
from django.db.models.lookups import In

from rapport.identity.choices import Action, OrgAccess, ShareLevel, TeamAccess
from rapport.identity.models import ObjectPermission, RecordShare, Role, SharingDefault, User

_CACHE_ATTR = "_rapport_access"
# Each request gets a new generation, so an access context never outlives its request even when
# the same user object is reused (test clients, long-lived processes).
_generation: contextvars.ContextVar[int] = contextvars.ContextVar("rapport_access", default=0)
_generations = itertools.count(1)


def access_new_generation() -> None:
    """Start afresh: called at the start of every request."""
    _generation.set(next(_generations))


@dataclass
class AccessContext:
    user_id: int
    team_ids: list[int]
    subordinate_ids: list[int]
    permissions: list[ObjectPermission]
    shared_content_type_ids: set[int]
    generation: int
    defaults: dict[str, SharingDefault] = field(default_factory=dict)


def _descendant_role_ids(role_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for rid, parent_id in Role.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(rid)
    found: list[int] = []
    stack = list(children.get(role_id, []))
    while stack:
        rid = stack.pop()
        if rid in found:
            continue
        found.append(rid)
        stack.extend(children.get(rid, []))
    return found


def access_context(user: User) -> AccessContext:
    """What ``user`` can reach; cached on the user object for the rest of the request."""
    cached: AccessContext | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached.generation == _generation.get():
        return cached
    team_ids = list(user.teams.values_list("id", flat=True))
    subordinates: list[int] = []
    if user.role_id is not None:
        role_ids = _descendant_role_ids(user.role_id)
        if role_ids:
            subordinates = list(
                User.objects.filter(role_id__in=role_ids).values_list("id", flat=True)
            )
    permissions = list(
        ObjectPermission.objects.filter(enabled=True)
        .filter(Q(users=user) | Q(teams__in=team_ids))
        .distinct()
    )
    share_filter = Q(user_id=user.pk) | Q(team_id__in=team_ids)
    shared_cts = set(
        RecordShare.objects.filter(share_filter)
        .values_list("content_type_id", flat=True)
        .distinct()
    )
    ctx = AccessContext(
        user_id=user.pk,
        team_ids=team_ids,
        subordinate_ids=subordinates,
        permissions=permissions,
        shared_content_type_ids=shared_cts,
        generation=_generation.get(),
        defaults={d.record_type: d for d in SharingDefault.objects.all()},
    )
    setattr(user, _CACHE_ATTR, ctx)
    return ctx


def forget_access(user: User) -> None:
    """Drop the cached access context (after a team, role or permission change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _substitute(value: Any, ctx: AccessContext) -> Any:
    if value == "$user":
        return ctx.user_id
    if value == "$teams":
        return ctx.team_ids
    if isinstance(value, list):
        return [_substitute(v, ctx) for v in value]
    return value


def _constraint_q(constraints: Any, ctx: AccessContext) -> Q:
    if not constraints:
        return Q()
    groups = constraints if isinstance(constraints, list) else [constraints]
    combined = Q(pk__in=[])
    for group in groups:
        combined |= Q(**{k: _substitute(v, ctx) for k, v in group.items()})
    return combined


class _Unindexed(Func):
    """``+column``: the same value, but SQLite will not pick the column's index for it."""

    template = "+%(expressions)s"
    output_field = BigIntegerField()


def _owner_team_q(model: type[Model], owners: list[int], teams: list[int]) -> Q:
    """Records owned by one of ``owners`` or in one of ``teams``.

    A manager or team member typically reaches a large share of the records. SQLite then
    answers "OR over two indexes, sort everything, keep 50" (about a second on 1,000,000
    contacts) where walking the list's sort index and keeping the rows that match takes under
    a millisecond, so on SQLite those broad conditions are written so that they use no index.
    A user reaching only their own records keeps the owner index, which is then the fast path.
    PostgreSQL's planner weighs both plans by its statistics and gets the plain form.
    """
    broad = len(owners) > 1 or bool(teams)
    if broad and connections[router.db_for_read(model)].vendor == "sqlite":
        q = Q(In(_Unindexed(F("owner_id")), owners))
        if teams:
            q |= Q(In(_Unindexed(F("team_id")), teams))
        return q
    q = Q(owner_id__in=owners) if len(owners) > 1 else Q(owner_id=owners[0])
    if teams:
        q |= Q(team_id__in=teams)
    return q


def restriction_q(user: Any, model: type[Model], record_type: str, action: str) -> Q | None:
    """A filter for the records of ``model`` that ``user`` may act on; None means all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    ctx = access_context(user)
    default = ctx.defaults.get(record_type)
    org_access = default.org_access if default else OrgAccess.PRIVATE
    team_access = default.team_access if default else TeamAccess.READ

    owners = [ctx.user_id, *ctx.subordinate_ids]
    teams: list[int] = []
    if action == Action.VIEW:
        if org_access in (OrgAccess.READ, OrgAccess.READ_WRITE):
            return None
        if team_access != TeamAccess.NONE:
            teams = ctx.team_ids
    elif action == Action.CHANGE:
        if org_access == OrgAccess.READ_WRITE:
            return None
        if team_access == TeamAccess.READ_WRITE:
            teams = ctx.team_ids
    q = _owner_team_q(model, owners, teams)
    content_type = ContentType.objects.get_for_model(model)
    if action in (Action.VIEW, Action.CHANGE) and content_type.pk in ctx.shared_content_type_ids:
        levels = (
            [ShareLevel.READ, ShareLevel.READ_WRITE]
            if action == Action.VIEW
            else [ShareLevel.READ_WRITE]
        )
        share_filter = Q(user_id=ctx.user_id)
        if ctx.team_ids:
            share_filter |= Q(team_id__in=ctx.team_ids)
        shared = RecordShare.objects.filter(
            share_filter, content_type=content_type, level__in=levels
        ).values("object_id")
        q |= Q(pk__in=shared)
    for perm in ctx.permissions:
        if record_type in perm.record_types and action in perm.actions:
            if not perm.constraints:
                return None
            q |= _constraint_q(perm.constraints, ctx)
    return q
