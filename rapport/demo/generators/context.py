"""State shared by the row generators: the plan, the clock, the organisation, first ids and
compact per-record arrays (owner, account, country) that later generators look up."""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field

from rapport.demo.clock import Clock
from rapport.demo.org import Org, Seller
from rapport.demo.plan import DemoPlan
from rapport.demo.pools.places import Country, countries


@dataclass
class DemoContext:
    """Everything generators share. Arrays are indexed by the record's position in the load
    (0-based); its id is ``<kind>_base + position + 1``."""

    plan: DemoPlan
    clock: Clock
    org: Org
    account_base: int
    contact_base: int
    opportunity_base: int
    lead_base: int
    activity_base: int
    # accounts
    account_country: bytearray = field(default_factory=bytearray)
    account_city: bytearray = field(default_factory=bytearray)
    account_owner: array[int] = field(default_factory=lambda: array("q"))
    account_name: list[str] = field(default_factory=list)
    account_domain: list[str] = field(default_factory=list)
    # contacts: account position + 1, or 0 when the contact has no account
    contact_account: array[int] = field(default_factory=lambda: array("q"))
    contact_owner: array[int] = field(default_factory=lambda: array("q"))
    # opportunities
    opportunity_owner: array[int] = field(default_factory=lambda: array("q"))
    # how much attention a deal gets (0.1..1): raises its activities and its chance of winning
    opportunity_engagement: array[float] = field(default_factory=lambda: array("d"))
    # (created, decided-or-now) in window seconds, two entries per opportunity
    opportunity_life: array[int] = field(default_factory=lambda: array("q"))
    # won deals, for their orders: (id, account position, contact position, owner, closed at
    # in window seconds, amount as text, currency)
    won: list[tuple[int, int, int, int, int, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.countries: tuple[Country, ...] = countries()
        self.team_of: dict[int, int] = {s.user_id: s.team_id for s in self.org.sellers}
        self.all_sellers: tuple[Seller, ...] = self.org.sellers

    def rng(self, name: str) -> random.Random:
        """An independent, reproducible random stream for one generator."""
        return random.Random(f"{self.plan.seed}:{name}")

    def seller(self, r: float, country: Country) -> Seller:
        """The seller at fraction ``r`` of the sellers covering ``country``."""
        group = self.org.sellers_by_country[country.code]
        return group[int(r * len(group))]
