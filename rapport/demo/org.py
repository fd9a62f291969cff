"""The demo organisation: users in a role hierarchy, regional teams, pipelines, tags and
exchange rates. Few rows, written through the ORM; re-running reuses what exists."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from babel.numbers import get_currency_name, get_currency_precision
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType

from rapport.accounts.models import Account
from rapport.contacts.models import Contact
from rapport.core.models import Tag
from rapport.currencies.models import Currency, ExchangeRate
from rapport.demo.clock import Clock
from rapport.demo.plan import DemoPlan
from rapport.demo.pools.people import name_pools
from rapport.demo.pools.phrases import TAG_NAMES
from rapport.demo.pools.places import countries
from rapport.identity.models import Role, Team, User
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Pipeline, Stage

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"  # a demo database only; documented in the command's output
USER_PASSWORD = "demo"

# Team name -> the countries whose customers it covers.
REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("North America", ("US", "CA")),
    ("Greater China", ("CN",)),
    ("Europe", ("GB", "DE", "FR")),
    ("Asia Pacific", ("AU",)),
)
PIPELINES: tuple[tuple[str, tuple[tuple[str, int, str], ...]], ...] = (
    (
        "New business",
        (
            ("Qualification", 10, StageKind.OPEN),
            ("Discovery", 20, StageKind.OPEN),
            ("Proposal", 50, StageKind.OPEN),
            ("Negotiation", 75, StageKind.OPEN),
            ("Closed won", 100, StageKind.WON),
            ("Closed lost", 0, StageKind.LOST),
        ),
    ),
    (
        "Renewals",
        (
            ("Upcoming renewal", 60, StageKind.OPEN),
            ("Renewal negotiation", 80, StageKind.OPEN),
            ("Renewed", 100, StageKind.WON),
            ("Churned", 0, StageKind.LOST),
        ),
    ),
)


@dataclass(frozen=True)
class Seller:
    user_id: int
    team_id: int


@dataclass(frozen=True)
class StageInfo:
    id: int
    kind: str
    probability: int


@dataclass(frozen=True)
class PipelineInfo:
    id: int
    open: tuple[StageInfo, ...]
    won: StageInfo
    lost: StageInfo

    @property
    def stages(self) -> tuple[StageInfo, ...]:
        return (*self.open, self.won, self.lost)


@dataclass(frozen=True)
class Org:
    """What the row generators need to know about the organisation."""

    admin: User
    sellers_by_country: dict[str, tuple[Seller, ...]]
    pipelines: tuple[PipelineInfo, ...]
    tag_ids: tuple[int, ...]
    content_types: dict[str, int]
    users: int

    @property
    def sellers(self) -> tuple[Seller, ...]:
        seen: dict[int, Seller] = {}
        for group in self.sellers_by_country.values():
            for seller in group:
                seen.setdefault(seller.user_id, seller)
        return tuple(seen.values())


def _admin() -> User:
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = User.objects.create_superuser(
            ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD, first_name="Ada", last_name="Admin"
        )
    return admin


def _roles() -> tuple[Role, Role, Role]:
    head, _ = Role.objects.get_or_create(name="Head of sales")
    manager, _ = Role.objects.get_or_create(name="Sales manager", defaults={"parent": head})
    rep, _ = Role.objects.get_or_create(name="Sales rep", defaults={"parent": manager})
    return head, manager, rep


def _new_users(plan: DemoPlan, rng: random.Random) -> list[tuple[str, User]]:
    """Unsaved users: a head of sales, one manager per region and the reps, with a team name
    ("" for the head)."""
    head_role, manager_role, rep_role = _roles()
    password = make_password(USER_PASSWORD)  # hashed once: the demo users share it
    taken = set(User.objects.values_list("username", flat=True))
    by_code = {c.code: c for c in countries()}
    weights = [sum(by_code[code].weight for code in codes) for _name, codes in REGIONS]
    reps_per_team = [max(1, round(plan.reps * w / sum(weights))) for w in weights]
    out: list[tuple[str, User]] = []

    def person(region_codes: tuple[str, ...], role: Role, team: str, staff: bool) -> None:
        country = by_code[region_codes[0]]
        pool = name_pools()[country.names]
        given = rng.choice(pool.male if rng.random() < 0.5 else pool.female)
        family = rng.choice(pool.family)
        base = f"{given[1]}.{family[1]}" if not pool.cjk else f"{family[1]}{given[1]}"
        username, k = base, 1
        while username in taken:
            k += 1
            username = f"{base}{k}"
        taken.add(username)
        out.append(
            (
                team,
                User(
                    username=username,
                    password=password,
                    first_name=given[0],
                    last_name=family[0],
                    email=f"{username}@rapport.example",
                    role=role,
                    is_staff=staff,
                    language=country.language,
                ),
            )
        )

    person(("US",), head_role, "", True)
    for (team, codes), reps in zip(REGIONS, reps_per_team, strict=True):
        person(codes, manager_role, team, True)
        for _ in range(reps):
            person(codes, rep_role, team, False)
    return out


def _sellers(plan: DemoPlan, rng: random.Random) -> dict[str, tuple[Seller, ...]]:
    """Create teams and their users; each country's customers go to its region's sellers."""
    new = _new_users(plan, rng)
    User.objects.bulk_create([u for _team, u in new])
    saved = {u.username: u for u in User.objects.filter(username__in=[u.username for _t, u in new])}
    by_team: dict[str, list[User]] = {}
    for team_name, user in new:
        if team_name:
            by_team.setdefault(team_name, []).append(saved[user.username])
    sellers: dict[str, tuple[Seller, ...]] = {}
    for team_name, codes in REGIONS:
        members = by_team[team_name]
        team, _ = Team.objects.get_or_create(name=team_name)
        if team.lead_id is None:
            team.lead = members[0]
            team.save(update_fields=["lead"])
        team.members.add(*members)
        group = tuple(Seller(u.pk, team.pk) for u in members)
        for code in codes:
            sellers[code] = group
    return sellers


def _pipelines() -> tuple[PipelineInfo, ...]:
    has_default = Pipeline.objects.filter(is_default=True).exists()
    infos = []
    for position, (name, stages) in enumerate(PIPELINES):
        pipeline, _created = Pipeline.objects.get_or_create(
            name=name,
            defaults={"position": position, "is_default": position == 0 and not has_default},
        )
        rows = []
        for stage_pos, (stage_name, probability, kind) in enumerate(stages):
            stage, _ = Stage.objects.get_or_create(
                pipeline=pipeline,
                name=stage_name,
                defaults={"position": stage_pos, "probability": probability, "kind": kind},
            )
            rows.append(StageInfo(stage.pk, stage.kind, stage.probability))
        infos.append(
            PipelineInfo(
                pipeline.pk,
                tuple(s for s in rows if s.kind == StageKind.OPEN),
                next(s for s in rows if s.kind == StageKind.WON),
                next(s for s in rows if s.kind == StageKind.LOST),
            )
        )
    return tuple(infos)


def _tags() -> tuple[int, ...]:
    return tuple(
        Tag.objects.get_or_create(name=name, defaults={"color": color})[0].pk
        for name, color in TAG_NAMES
    )


def _currencies() -> None:
    """The currencies of the demo's countries and the base currency, when missing (the
    migration seeds them, but a flushed database, such as a test's, has none)."""
    codes = {c.currency for c in countries()} | {settings.RAPPORT_BASE_CURRENCY}
    for code in sorted(codes):
        Currency.objects.get_or_create(
            code=code,
            defaults={
                "name": get_currency_name(code, locale="en"),
                "decimals": get_currency_precision(code),
            },
        )


def _exchange_rates(clock: Clock, rng: random.Random) -> int:
    """Daily rates over the demo's window for every demo currency, as a gentle random walk."""
    base = settings.RAPPORT_BASE_CURRENCY
    per_usd = {c.currency: c.usd_rate for c in countries()}
    base_per_usd = per_usd.get(base, 1.0)
    known = set(Currency.objects.values_list("code", flat=True))
    rows = []
    for code in sorted(per_usd):
        if code == base or code not in known:
            continue
        level = math.log(base_per_usd / per_usd[code])
        for day in range(clock.days + 1):
            level += rng.gauss(0, 0.004)
            rows.append(
                ExchangeRate(
                    currency_id=code,
                    date=clock.datetime(day * 86400).date(),
                    rate=round(math.exp(level), 8),
                )
            )
    ExchangeRate.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def org_setup(plan: DemoPlan, clock: Clock) -> tuple[Org, dict[str, int]]:
    """Create (or reuse) the organisation; returns it and rows written per kind."""
    rng = random.Random(f"{plan.seed}:org")
    admin = _admin()
    users_before = User.objects.count()
    sellers = _sellers(plan, rng)
    pipelines = _pipelines()
    tags = _tags()
    _currencies()
    rates = _exchange_rates(clock, rng)
    types = {
        key: ContentType.objects.get_for_model(model).pk
        for key, model in (
            ("contacts", Contact),
            ("accounts", Account),
            ("opportunities", Opportunity),
        )
    }
    users = User.objects.count() - users_before
    org = Org(admin, sellers, pipelines, tags, types, users)
    return org, {"users": users, "exchange rates": rates}
