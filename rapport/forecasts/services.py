"""Writes of forecasts: the rollup kept up to date, quota rules, managers' adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rapport.forecasts.choices import AdjustedCategory, PeriodKind
from rapport.forecasts.models import ForecastAdjustment, Quota
from rapport.forecasts.periods import Period, period_start_valid
from rapport.forecasts.rollup import record_cell, rollup_cells_refresh, rollup_rebuild
from rapport.forecasts.selectors import forecast_may_adjust
from rapport.forecasts.tasks import forecast_rollup_rebuild
from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write, record_snapshot
from rapport.framework.choices import ChangeAction
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.identity.models import Team, User


def forecast_rollup_record_changed(*, before: Any, after: Any) -> None:
    """Refresh the rollup cells an opportunity was in (``before``: a change-log snapshot or
    the record about to be deleted) and is in now (``after``: the saved record, or None when
    it is being deleted). Called by the opportunity write hooks, in their transaction."""
    cells = {c for c in (record_cell(before), record_cell(after)) if c is not None}
    exclude = before.pk if after is None and hasattr(before, "pk") else None
    rollup_cells_refresh(cells, exclude_pk=exclude)


def forecast_rollup_rebuild_now() -> int:
    """Rebuild the whole rollup at once (after a bulk load such as the demo); rows written."""
    return rollup_rebuild()


def forecast_rollup_rebuild_later() -> None:
    """Rebuild the whole rollup in the background once the current transaction commits (a
    stage's probability or category changed: every opportunity in it may count differently)."""
    transaction.on_commit(lambda: forecast_rollup_rebuild.enqueue())


def quota_prepare(*, actor: Actor, record: Quota, changed: set[str], **_kw: Any) -> None:
    """A quota is a user's or a team's (exactly one), for a period starting on its first day,
    never negative."""
    errors: dict[str, ValidationError] = {}
    if (record.user_id is None) == (record.team_id is None):
        message = (
            _("Give a user or a team, not both.")
            if record.user_id is not None
            else _("Give the user or the team the quota is for.")
        )
        errors["user"] = ValidationError(message, code="user_or_team")
    if isinstance(record.period_start, dt.date) and not period_start_valid(
        record.period_kind, record.period_start
    ):
        message = (
            _("A quarter starts on 1 January, 1 April, 1 July or 1 October.")
            if record.period_kind == PeriodKind.QUARTER
            else _("A month starts on its first day.")
        )
        errors["period_start"] = ValidationError(message, code="not_period_start")
    if record.amount is not None and Decimal(record.amount) < 0:
        errors["amount"] = ValidationError(_("A quota cannot be negative."), code="negative_amount")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def forecast_adjust(
    *,
    actor: Actor,
    period: Period,
    amount: Decimal,
    user: User | None = None,
    team: Team | None = None,
    note: str = "",
) -> ForecastAdjustment:
    """Record a manager's commit for ``user`` or ``team`` in ``period`` (base currency).
    Only an administrator, or a manager whose role is above every person concerned, may."""
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if actor.user is None or not actor.user.is_active:
        raise RecordPermissionDenied()
    if (user is None) == (team is None):
        raise ValidationError(
            {"user": ValidationError(_("Give a user or a team, not both."), code="user_or_team")}
        )
    if amount < 0:
        raise ValidationError(
            {"amount": ValidationError(_("Enter an amount of 0 or more."), code="negative_amount")}
        )
    if not forecast_may_adjust(manager=actor.user, user=user, team=team):
        raise RecordPermissionDenied(
            _("Only a manager above these people, or an administrator, may adjust their forecast."),
            code="not_their_manager",
        )
    adjustment = ForecastAdjustment.objects.create(
        manager=actor.user,
        user=user,
        team=team,
        period_kind=period.kind,
        period_start=period.start,
        category=AdjustedCategory.COMMIT,
        amount=amount,
        note=note,
    )
    changelog_write(
        actor=actor,
        action=ChangeAction.CREATE,
        record=adjustment,
        object_id=adjustment.pk,
        before=None,
        after=record_snapshot(adjustment),
    )
    return adjustment
