"""The forecast rollup equals a raw computation over the opportunities after every kind of
write (creates, updates, stage moves, owner and date changes, deletes), and after a rebuild."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from conftest import Personas
from rapport.forecasts.models import ForecastRollup
from rapport.forecasts.rollup import rollup_rebuild
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_delete, record_update
from rapport.framework.testing.factories import (
    AccountFactory,
    ExchangeRateFactory,
    PipelineFactory,
    StageFactory,
    currency,
)
from rapport.opportunities.models import Opportunity, Stage
from rapport.opportunities.stages import stage_forecast_category
from rapport.opportunities.tests.factories import CloseReasonFactory

pytestmark = pytest.mark.django_db

RT = "opportunities"


def raw_rollup() -> dict[tuple[int, dt.date, str], tuple[int, Decimal, Decimal, Decimal]]:
    """The rollup computed independently, opportunity by opportunity."""
    rates = {"USD": Decimal(1), "EUR": Decimal("1.1")}
    out: dict[tuple[int, dt.date, str], list[Any]] = defaultdict(
        lambda: [0, Decimal(0), Decimal(0), Decimal(0)]
    )
    for o in Opportunity.objects.select_related("stage"):
        day = o.expected_close_date or (
            timezone.localtime(o.closed_at).date() if o.closed_at else None
        )
        if day is None:
            continue
        if o.stage.kind == "won":
            category = "closed"
        elif o.stage.kind == "lost":
            category = "omitted"
        else:
            category = o.forecast_category or o.stage.forecast_category
            category = category or stage_forecast_category(
                kind=o.stage.kind, probability=o.stage.probability
            )
        amount = Decimal(o.amount or 0)
        probability = o.probability if o.probability is not None else o.stage.probability
        rate = rates[o.currency_id]
        cell = out[(o.owner_id, day.replace(day=1), category)]
        cell[0] += 1
        cell[1] += (amount * rate).quantize(Decimal("0.01"))
        cell[2] += (amount * probability / 100 * rate).quantize(Decimal("0.01"))
        if o.stage.kind == "won":
            cell[3] += (amount * rate).quantize(Decimal("0.01"))
    return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]


def stored_rollup() -> dict[tuple[int, dt.date, str], tuple[int, Decimal, Decimal, Decimal]]:
    return {
        (r.owner_id, r.month, r.category): (
            r.count,
            r.amount,
            r.weighted_amount,
            r.closed_won_amount,
        )
        for r in ForecastRollup.objects.all()
    }


@pytest.fixture
def stages(personas: Personas) -> dict[str, Stage]:
    ExchangeRateFactory(currency=currency("EUR"), date=dt.date(2020, 1, 1), rate=Decimal("1.1"))
    pipeline = PipelineFactory()
    return {
        "qualify": StageFactory(pipeline=pipeline, probability=10, position=1),
        "propose": StageFactory(pipeline=pipeline, probability=50, position=2),
        "commit": StageFactory(pipeline=pipeline, probability=90, position=3),
        "won": StageFactory(pipeline=pipeline, probability=100, kind="won", position=4),
        "lost": StageFactory(pipeline=pipeline, probability=0, kind="lost", position=5),
    }


def _create(actor: Actor, stage: Stage, **values: Any) -> Opportunity:
    data = {
        "name": "Deal",
        "account": AccountFactory(owner=actor.user),
        "pipeline": stage.pipeline,
        "stage": stage,
        "currency": currency(values.pop("currency", "USD")),
        "amount": Decimal("1000.00"),
        "expected_close_date": dt.date(2026, 11, 20),
        **values,
    }
    return record_create(actor=actor, record_type=get_record_type(RT), data=data)  # type: ignore[return-value]


def _update(actor: Actor, record: Opportunity, **data: Any) -> Opportunity:
    record = Opportunity.objects.get(pk=record.pk)
    return record_update(actor=actor, record_type=get_record_type(RT), record=record, data=data)  # type: ignore[return-value]


def test_rollup_follows_every_write(personas: Personas, stages: dict[str, Stage]) -> None:
    owner, admin = Actor(user=personas.owner), Actor(user=personas.admin)
    # creates, in two currencies and two months
    a = _create(owner, stages["qualify"], amount=Decimal("1000.00"))
    b = _create(owner, stages["propose"], amount=Decimal("2500.50"), currency="EUR")
    c = _create(owner, stages["commit"], expected_close_date=dt.date(2026, 12, 3))
    d = _create(owner, stages["qualify"], amount=None)
    assert stored_rollup() == raw_rollup()
    assert stored_rollup()[(personas.owner.pk, dt.date(2026, 11, 1), "best_case")] == (
        1,
        Decimal("2750.55"),
        Decimal("1375.28"),
        Decimal("0.00"),
    )
    # amount, probability and category updates
    _update(owner, a, amount=Decimal("1200.00"), probability=40)
    _update(owner, b, forecast_category="commit")
    assert stored_rollup() == raw_rollup()
    # stage moves: won, lost (with a reason), back to open
    _update(owner, a, stage=stages["won"])
    _update(owner, c, stage=stages["lost"], close_reason=CloseReasonFactory(kind="lost"))
    _update(owner, c, stage=stages["propose"])
    assert stored_rollup() == raw_rollup()
    # close date moves to another month; owner changes
    _update(owner, b, expected_close_date=dt.date(2027, 1, 15))
    _update(admin, d, owner=personas.teammate)
    assert stored_rollup() == raw_rollup()
    assert (personas.teammate.pk, dt.date(2026, 11, 1), "pipeline") in stored_rollup()
    # deletes
    record_delete(
        actor=owner, record_type=get_record_type(RT), record=Opportunity.objects.get(pk=c.pk)
    )
    record_delete(
        actor=admin, record_type=get_record_type(RT), record=Opportunity.objects.get(pk=d.pk)
    )
    assert stored_rollup() == raw_rollup()
    assert Opportunity.objects.count() == 2


def test_a_refused_write_leaves_the_rollup_alone(
    personas: Personas, stages: dict[str, Stage]
) -> None:
    owner = Actor(user=personas.owner)
    a = _create(owner, stages["qualify"])
    before = stored_rollup()
    with pytest.raises(ValidationError):  # a lost deal needs a reason
        _update(owner, a, stage=stages["lost"], amount=Decimal("5"))
    assert stored_rollup() == before == raw_rollup()


def test_rebuild_repairs_the_rollup(personas: Personas, stages: dict[str, Stage]) -> None:
    owner = Actor(user=personas.owner)
    _create(owner, stages["qualify"])
    _create(owner, stages["won"], currency="EUR")
    expected = stored_rollup()
    # given a damaged rollup and a stage probability changed behind its back
    ForecastRollup.objects.update(amount=Decimal("1"))
    ForecastRollup.objects.create(
        owner=personas.other, month=dt.date(2026, 1, 1), category="commit", count=9
    )
    Stage.objects.filter(pk=stages["qualify"].pk).update(probability=30)
    Opportunity.objects.filter(stage=stages["qualify"]).update(probability=None)
    # when the command rebuilds it
    out = StringIO()
    call_command("forecast", "rollup", stdout=out)
    # then it equals the raw computation again
    assert out.getvalue().startswith("Forecast rollup rebuilt: 2 rows")
    assert stored_rollup() == raw_rollup()
    assert stored_rollup() != expected  # the weighted amount follows the new probability
    assert rollup_rebuild() == 2


def test_changing_a_stage_probability_rebuilds_the_rollup(
    personas: Personas, stages: dict[str, Stage], django_capture_on_commit_callbacks: Any
) -> None:
    # given an opportunity without its own probability in Qualify (10 %)
    owner = Actor(user=personas.owner)
    deal = _create(owner, stages["qualify"])
    Opportunity.objects.filter(pk=deal.pk).update(probability=None)
    rollup_rebuild()
    key = (personas.owner.pk, dt.date(2026, 11, 1), "pipeline")
    assert stored_rollup()[key][2] == Decimal("100.00")
    # when the administrator sets the stage to 30 %
    with django_capture_on_commit_callbacks(execute=True):
        record_update(
            actor=Actor(user=personas.admin),
            record_type=get_record_type("stages"),
            record=stages["qualify"],
            data={"probability": 30},
        )
    # then the rollup was rebuilt after the commit
    assert stored_rollup()[key][2] == Decimal("300.00")
    assert stored_rollup() == raw_rollup()


def test_opportunities_written_in_bulk_count_by_their_stage(
    personas: Personas, stages: dict[str, Stage]
) -> None:
    # given opportunities written around the services (as the demo generator does): no
    # category of their own, stages without one either
    for stage in ("qualify", "propose", "commit"):
        Opportunity.objects.create(
            name="Bulk",
            account=AccountFactory(owner=personas.owner),
            owner=personas.owner,
            pipeline=stages[stage].pipeline,
            stage=stages[stage],
            currency=currency("USD"),
            amount=Decimal("100.00"),
            probability=None,
            expected_close_date=dt.date(2026, 11, 2),
        )
    assert set(Opportunity.objects.values_list("forecast_category", flat=True)) == {""}
    # when the rollup is rebuilt, each counts in its stage's default category
    rollup_rebuild()
    month = dt.date(2026, 11, 1)
    assert {k[2]: v[:3] for k, v in stored_rollup().items() if k[1] == month} == {
        "pipeline": (1, Decimal("100.00"), Decimal("10.00")),
        "best_case": (1, Decimal("100.00"), Decimal("50.00")),
        "commit": (1, Decimal("100.00"), Decimal("90.00")),
    }
    assert stored_rollup() == raw_rollup()
