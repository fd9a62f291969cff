"""Reads of forecasts: the pipeline forecast of a period per person, rolled up through the
role hierarchy, from the rollup table (never from the opportunities themselves).

Figures, in the base currency: ``closed`` (won), ``commit`` (closed + commit), ``best_case``
(commit + best case), ``pipeline`` (every open deal not omitted), ``weighted`` (open deals,
amount x probability), ``quota`` and ``attainment`` (closed / quota). A person's rolled-up
figures add those of everyone below them in the role tree; a manager's adjustment of someone's
commit is shown next to the raw figure and replaces it in the adjusted rollup above them.

A user sees their own figures and their reports'; administrators see everyone's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from rapport.currencies.selectors import MissingExchangeRate, base_currency, exchange_rate
from rapport.forecasts.choices import PeriodKind
from rapport.forecasts.models import ForecastAdjustment, ForecastRollup, Quota
from rapport.forecasts.periods import Period
from rapport.identity.access import access_context
from rapport.identity.models import Role, Team, User
from rapport.opportunities.choices import ForecastCategory

_OPEN = (ForecastCategory.PIPELINE, ForecastCategory.BEST_CASE, ForecastCategory.COMMIT)
ZERO = Decimal("0.00")


@dataclass
class ForecastFigures:
    closed: Decimal = ZERO
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    quota: Decimal | None = None
    open_count: int = 0
    unconverted: int = 0

    @property
    def attainment(self) -> float | None:
        """Closed as a share of the quota (0.5 for half), None without a quota."""
        if not self.quota:
            return None
        return float(self.closed / self.quota)

    def add(self, other: ForecastFigures) -> None:
        self.closed += other.closed
        self.commit += other.commit
        self.best_case += other.best_case
        self.pipeline += other.pipeline
        self.weighted += other.weighted
        if other.quota is not None:
            self.quota = (self.quota or ZERO) + other.quota
        self.open_count += other.open_count
        self.unconverted += other.unconverted


@dataclass
class AdjustmentView:
    id: int
    manager: str
    target: str
    amount: Decimal
    note: str
    created_at: dt.datetime


@dataclass
class PersonForecast:
    user_id: int
    name: str
    depth: int  # 0 for the top of what is shown
    own: ForecastFigures
    rolled: ForecastFigures
    adjusted_commit: Decimal | None  # the latest adjustment of this person's rolled commit
    adjusted_rollup_commit: Decimal  # commit with adjustments applied below and here
    report_ids: list[int] = field(default_factory=list)
    can_adjust: bool = False


@dataclass
class TeamForecast:
    id: int
    name: str
    figures: ForecastFigures
    adjusted_commit: Decimal | None
    can_adjust: bool


@dataclass
class PipelineForecast:
    period: Period
    currency: str
    people: list[PersonForecast]
    total: ForecastFigures
    adjusted_total_commit: Decimal
    team: TeamForecast | None
    adjustments: list[AdjustmentView]
    missing_rates: list[str]


def visible_user_ids(user: User) -> set[int] | None:
    """Whose forecast ``user`` may see: themselves and their reports; None for everyone."""
    if user.is_superuser:
        return None
    return {user.pk, *access_context(user).subordinate_ids}


def forecast_may_adjust(*, manager: User, user: User | None, team: Team | None) -> bool:
    """An administrator, or a manager whose role is above ``user`` (every member of ``team``)."""
    if manager.is_superuser:
        return True
    below = set(access_context(manager).subordinate_ids) - {manager.pk}
    if user is not None:
        return user.pk in below
    if team is not None:
        members = set(team.members.values_list("pk", flat=True))
        return bool(members) and members <= below
    return False


def _descendant_roles(parents: Mapping[int, int | None]) -> dict[int, set[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for rid, parent in parents.items():
        children[parent].append(rid)
    below: dict[int, set[int]] = {}
    for rid in parents:
        found: set[int] = set()
        stack = list(children.get(rid, []))
        while stack:
            r = stack.pop()
            if r not in found:
                found.add(r)
                stack.extend(children.get(r, []))
        below[rid] = found
    return below


class _RateCache:
    def __init__(self) -> None:
        self.base = base_currency()
        self.missing: set[str] = set()
        self._rates: dict[str, Decimal | None] = {}

    def to_base(self, amount: Decimal, currency: str, on: dt.date) -> Decimal | None:
        if currency not in self._rates:
            try:
                self._rates[currency] = exchange_rate(currency, on)
            except MissingExchangeRate:
                self._rates[currency] = None
                self.missing.add(currency)
        rate = self._rates[currency]
        return None if rate is None else (amount * rate).quantize(Decimal("0.01"))


def _quotas(
    period: Period, user_ids: set[int] | None, team_id: int | None, rates: _RateCache
) -> tuple[dict[int, Decimal], Decimal | None]:
    """Quotas of the people (a quarter's own quota, else the sum of its months') and of the
    team, in the base currency."""
    kinds = Q(period_kind=period.kind, period_start=period.start)
    if period.kind == PeriodKind.QUARTER:
        kinds |= Q(period_kind=PeriodKind.MONTH, period_start__in=period.months)
    who = Q(user__isnull=False)
    if user_ids is not None:
        who = Q(user_id__in=user_ids)
    if team_id is not None:
        who |= Q(team_id=team_id)
    by_user: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_team: dict[str, Decimal] = defaultdict(Decimal)
    for row in Quota.objects.filter(kinds & who).values(
        "user_id", "team_id", "period_kind", "amount", "currency_id"
    ):
        value = rates.to_base(row["amount"], row["currency_id"], period.last_day)
        if value is None:
            continue
        if row["user_id"] is not None:
            by_user[row["user_id"]][row["period_kind"]] += value
        elif row["team_id"] == team_id:
            by_team[row["period_kind"]] += value

    def pick(kinds_found: dict[str, Decimal]) -> Decimal | None:
        if period.kind in kinds_found:
            return kinds_found[period.kind]
        return kinds_found.get(PeriodKind.MONTH) if period.kind == PeriodKind.QUARTER else None

    users = {uid: q for uid, found in by_user.items() if (q := pick(found)) is not None}
    return users, pick(by_team) if by_team else None


def _own_figures(period: Period, owner_ids: set[int] | None) -> dict[int, ForecastFigures]:
    rows = ForecastRollup.objects.filter(month__in=period.months)
    if owner_ids is not None:
        rows = rows.filter(owner_id__in=owner_ids)
    amounts: dict[int, dict[str, list[Any]]] = defaultdict(
        lambda: defaultdict(lambda: [ZERO, ZERO, 0, 0])
    )
    for owner, category, amount, weighted, count, unconverted in rows.values_list(
        "owner_id", "category", "amount", "weighted_amount", "count", "unconverted"
    ):
        cell = amounts[owner][category]
        cell[0] += amount
        cell[1] += weighted
        cell[2] += count
        cell[3] += unconverted
    figures: dict[int, ForecastFigures] = {}
    for owner, by_category in amounts.items():

        def amount_of(category: str, c: dict[str, list[Any]] = by_category) -> Decimal:
            return Decimal(c[category][0]) if category in c else ZERO

        f = ForecastFigures()
        f.closed = amount_of(ForecastCategory.CLOSED)
        f.commit = f.closed + amount_of(ForecastCategory.COMMIT)
        f.best_case = f.commit + amount_of(ForecastCategory.BEST_CASE)
        f.pipeline = sum((amount_of(c) for c in _OPEN), ZERO)
        f.weighted = sum((Decimal(by_category[c][1]) for c in _OPEN if c in by_category), ZERO)
        f.open_count = sum(by_category[c][2] for c in _OPEN if c in by_category)
        f.unconverted = sum(v[3] for v in by_category.values())
        figures[owner] = f
    return figures


def _label(user: Mapping[str, Any]) -> str:
    full = f"{user['first_name']} {user['last_name']}".strip()
    return full or str(user["username"])


def pipeline_forecast(
    *, user: User, period: Period, team: Team | None = None, owner: User | None = None
) -> PipelineForecast:
    """The pipeline forecast of ``period`` for ``user``: every person they may see (only
    ``team``'s members, or ``owner`` and their reports, when given), each with own and
    rolled-up figures, quotas and adjustments. A fixed number of queries."""
    visible = visible_user_ids(user)
    if owner is not None and visible is not None and owner.pk not in visible:
        raise ValidationError(
            {"owner": ValidationError(_("You may not see this person's forecast."), "not_visible")}
        )
    roles = dict(Role.objects.values_list("id", "parent_id"))
    below = _descendant_roles(roles)
    people_q = User.objects.filter(is_active=True)
    if visible is not None:
        people_q = people_q.filter(pk__in=visible)
    if team is not None:
        people_q = people_q.filter(teams=team)
    users = list(
        people_q.order_by("username").values("id", "username", "first_name", "last_name", "role_id")
    )
    if owner is not None:
        owner_roles = below.get(owner.role_id, set()) if owner.role_id else set()
        users = [u for u in users if u["id"] == owner.pk or u["role_id"] in owner_roles]
    ids = {u["id"] for u in users}
    rates = _RateCache()
    own = _own_figures(period, ids if visible is not None or team or owner else None)
    quotas, team_quota = _quotas(
        period,
        ids if visible is not None or team or owner else None,
        team.pk if team else None,
        rates,
    )
    adjustments = list(
        ForecastAdjustment.objects.filter(period_kind=period.kind, period_start=period.start)
        .filter(Q(user_id__in=ids) | (Q(team=team) if team else Q(pk__in=[])))
        .select_related("manager", "user", "team")
        .order_by("-created_at", "-id")
    )
    latest_user: dict[int, ForecastAdjustment] = {}
    latest_team: ForecastAdjustment | None = None
    for adj in adjustments:
        if adj.user_id is not None:
            latest_user.setdefault(adj.user_id, adj)
        elif latest_team is None:
            latest_team = adj
    for uid in ids:
        own.setdefault(uid, ForecastFigures())
        own[uid].quota = quotas.get(uid)
    # reports of each person: people whose role is below theirs
    reports = {
        u["id"]: [
            v["id"]
            for v in users
            if u["role_id"] is not None and v["role_id"] in below.get(u["role_id"], set())
        ]
        for u in users
    }
    # direct reports: the people of the nearest role above someone's that has people shown
    by_role: dict[int, list[int]] = defaultdict(list)
    for u in users:
        if u["role_id"] is not None:
            by_role[u["role_id"]].append(u["id"])
    bosses: dict[int, list[int]] = defaultdict(list)
    direct: dict[int, list[int]] = {uid: [] for uid in ids}
    for u in users:
        role = roles.get(u["role_id"]) if u["role_id"] is not None else None
        seen: set[int] = set()
        while role is not None and role not in by_role and role not in seen:
            seen.add(role)
            role = roles.get(role)
        for boss in by_role.get(role, []) if role is not None else []:
            bosses[u["id"]].append(boss)
            direct[boss].append(u["id"])
    adjusted_rollup: dict[int, Decimal] = {}

    def adjusted(uid: int) -> Decimal:
        if uid not in adjusted_rollup:
            if uid in latest_user:
                adjusted_rollup[uid] = latest_user[uid].amount
            else:
                adjusted_rollup[uid] = own[uid].commit + sum(
                    (adjusted(r) for r in direct[uid]), ZERO
                )
        return adjusted_rollup[uid]

    depth_of: dict[int, int] = {}

    def depth(uid: int) -> int:
        if uid not in depth_of:
            depth_of[uid] = 0 if not bosses[uid] else 1 + max(depth(b) for b in bosses[uid])
        return depth_of[uid]

    may_adjust_all = user.is_superuser
    mine = set(access_context(user).subordinate_ids) - {user.pk} if not may_adjust_all else set()
    people: list[PersonForecast] = []
    for u in users:
        uid = u["id"]
        rolled = ForecastFigures()
        rolled.add(own[uid])
        for r in reports[uid]:
            rolled.add(own[r])
        people.append(
            PersonForecast(
                user_id=uid,
                name=_label(u),
                depth=depth(uid),
                own=own[uid],
                rolled=rolled,
                adjusted_commit=latest_user[uid].amount if uid in latest_user else None,
                adjusted_rollup_commit=adjusted(uid),
                report_ids=reports[uid],
                can_adjust=may_adjust_all or uid in mine,
            )
        )
    names = {p.user_id: p.name for p in people}

    def tree_path(uid: int) -> tuple[str, ...]:
        first_boss = min(bosses[uid], key=lambda b: names[b], default=None)
        return (*(tree_path(first_boss) if first_boss else ()), names[uid], str(uid))

    people.sort(key=lambda p: tree_path(p.user_id))
    total = ForecastFigures()
    for p in people:
        total.add(p.own)
    rolled_commit = {p.user_id: p.rolled.commit for p in people}
    adjusted_below = {r for a in latest_user for r in reports[a]}
    adjusted_total = total.commit + sum(
        (adjusted(uid) - rolled_commit[uid] for uid in latest_user if uid not in adjusted_below),
        ZERO,
    )
    team_view = None
    if team is not None:
        team_figures = ForecastFigures()
        for p in people:
            team_figures.add(p.own)
        team_figures.quota = team_quota if team_quota is not None else team_figures.quota
        members = set(ids)
        team_view = TeamForecast(
            id=team.pk,
            name=team.name,
            figures=team_figures,
            adjusted_commit=latest_team.amount if latest_team else None,
            can_adjust=may_adjust_all or (bool(members) and members <= mine),
        )
        if latest_team is not None:
            adjusted_total = latest_team.amount
    return PipelineForecast(
        period=period,
        currency=rates.base,
        people=people,
        total=total,
        adjusted_total_commit=adjusted_total,
        team=team_view,
        adjustments=[
            AdjustmentView(
                id=a.pk,
                manager=str(a.manager),
                target=str(a.user or a.team),
                amount=a.amount,
                note=a.note,
                created_at=a.created_at,
            )
            for a in adjustments
        ],
        missing_rates=sorted(rates.missing),
    )
