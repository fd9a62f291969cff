"""Writes of lead scoring: checking a rule, scoring leads, training the learned model.

Scores are derived values, recomputed from the lead, what it did and the rules and model of
the day: a lead is scored when it is saved (``lead_score_refresh``, called by the lead's
prepare hook), all leads nightly and after each training (``leads_rescore``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.analytics.lead_scoring import (
    LinearScorer,
    TrainingRefused,
    pipeline_dump,
    score,
    train,
)
from rapport.framework.actor import Actor
from rapport.framework.bulk import update_rows
from rapport.framework.choices import ActorKind
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.leads.models import Lead
from rapport.scoring.models import LeadScoringModel, ScoringRule
from rapport.scoring.reasons import learned_reason_texts, reason_labels
from rapport.scoring.rules import CompiledRule, behaviour_windows, lead_rule_score, rule_clean
from rapport.scoring.selectors import (
    LEAD_VALUES,
    active_rules,
    behaviour_counts,
    current_model,
    decided_leads,
    lead_features,
    lead_label,
    learned_windows,
    model_scorer,
)

SCORE_FIELDS = ("rule_score", "learned_score", "score_reasons", "scored_at")
RESCORE_BATCH = 2000
MODELS_KEPT = 10


def scoring_rule_prepare(
    *, actor: Actor, record: ScoringRule, changed: set[str], **_kw: Any
) -> None:
    """A rule's field, operator and value must fit together (errors name the field)."""
    cleaned = rule_clean(
        kind=record.kind,
        field=record.field,
        behaviour=record.behaviour,
        operator=record.operator,
        value=record.value,
        within_days=record.within_days,
    )
    for name, value in cleaned.items():
        setattr(record, name, value)


def _require_admin(actor: Actor) -> None:
    """Scheduled jobs and administrators only: these touch every lead."""
    if actor.kind in (ActorKind.JOB, ActorKind.SYSTEM) and not actor.read_only:
        return
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if actor.user is None or not actor.user.is_active or not actor.user.is_superuser:
        raise RecordPermissionDenied(
            _("Only administrators may train the lead-scoring model or rescore leads."),
            code="admin_only",
        )


@dataclass(frozen=True)
class Scorer:
    """The rules and the model of the day, read once and applied to many leads."""

    rules: list[CompiledRule]
    model: LeadScoringModel | None
    linear: LinearScorer | None

    @classmethod
    def current(cls) -> Scorer:
        model = current_model()
        return cls(active_rules(), model, model_scorer(model) if model else None)

    @property
    def windows(self) -> set[tuple[str, int | None]]:
        learned = learned_windows() if self.linear is not None else set()
        return behaviour_windows(self.rules) | learned

    def scores(
        self, leads: Sequence[Any], counts: Sequence[dict[tuple[str, int | None], int]]
    ) -> list[dict[str, Any]]:
        """Each lead's score fields (``SCORE_FIELDS`` but the time)."""
        by_rules = [
            lead_rule_score(lead=lead, rules=self.rules, counts=c)
            for lead, c in zip(leads, counts, strict=True)
        ]
        learned: list[tuple[float, list[Any]] | None] = [None] * len(leads)
        if self.linear is not None:
            features = [
                lead_features(lead, c, r.score)
                for lead, c, r in zip(leads, counts, by_rules, strict=True)
            ]
            learned = list(score(self.linear, features))
        labels = reason_labels() if self.linear is not None else {}
        results = []
        for by_rule, by_model in zip(by_rules, learned, strict=True):
            reasons: dict[str, Any] = {"rule": by_rule.reasons, "learned": []}
            probability = None
            if by_model is not None:
                probability = round(by_model[0], 4)
                stored = [r.as_dict() for r in by_model[1]]
                for reason, text in zip(stored, learned_reason_texts(stored, labels), strict=True):
                    reason["text"] = text
                reasons["learned"] = stored
            results.append(
                {
                    "rule_score": by_rule.score,
                    "learned_score": probability,
                    "score_reasons": reasons,
                }
            )
        return results


def lead_score_refresh(*, lead: Lead, now: datetime | None = None) -> None:
    """Set ``lead``'s scores from the active rules and the current model; the caller saves
    it (the lead's prepare hook, so that every way in scores the lead it writes)."""
    now = now or timezone.now()
    scorer = Scorer.current()
    counts: dict[tuple[str, int | None], int] = {}
    if lead.pk is not None and scorer.windows:
        counts = behaviour_counts([lead.pk], scorer.windows, now=now).get(lead.pk, {})
    [scores] = scorer.scores([lead], [counts])
    for name, value in scores.items():
        setattr(lead, name, value)
    lead.scored_at = now


def lead_activities_changed(*, lead_id: int) -> None:
    """Score ``lead_id`` again now that an activity on it was logged or changed: behaviour
    rules and the learned model count a lead's activities. Nothing when neither reads them.
    Written like ``leads_rescore``: a derived value, with no change-log row."""
    scorer = Scorer.current()
    if not scorer.windows:
        return
    _batch_rescore(scorer, list(Lead.objects.filter(pk=lead_id).values(*LEAD_VALUES)))


def leads_rescore(
    *,
    actor: Actor,
    lead_ids: Sequence[int] | None = None,
    batch_size: int = RESCORE_BATCH,
) -> int:
    """Score every lead (or those of ``lead_ids``) again, in batches: per batch one query for
    the leads, one for the activity counts and one for the web-form submission counts (each
    only if rules or the model read them), and one update per 500 leads. Returns the number
    of leads scored."""
    _require_admin(actor)
    now = timezone.now()
    scorer = Scorer.current()
    queryset = Lead.objects.order_by("id")
    if lead_ids is not None:
        queryset = queryset.filter(id__in=list(lead_ids))
    done = 0
    last_id = 0
    while True:
        batch = list(queryset.filter(id__gt=last_id).values(*LEAD_VALUES)[:batch_size])
        if not batch:
            return done
        _batch_rescore(scorer, batch, now)
        done += len(batch)
        if len(batch) < batch_size:
            return done
        last_id = batch[-1]["id"]


def _batch_rescore(
    scorer: Scorer, batch: list[dict[str, Any]], now: datetime | None = None
) -> None:
    """Score the leads of ``batch`` (their ``LEAD_VALUES``) and write the scores: one query for
    their activity and web-form counts (if rules or the model read them), one update.
    Written around the record services, so without a change-log row, event or permission
    check: scores are derived values (rapport.scoring.records keeps them out of the change
    log on every save too), like a formula field; nobody changed the lead."""
    if not batch:
        return
    now = now or timezone.now()
    ids = [row["id"] for row in batch]
    counts = behaviour_counts(ids, scorer.windows, now=now)
    _scores_write(ids, scorer.scores(batch, [counts.get(i, {}) for i in ids]), now)


def _scores_write(ids: Sequence[int], scores: Sequence[dict[str, Any]], now: datetime) -> None:
    """One parameterised UPDATE run for every lead (``update_rows``): Django's bulk_update
    builds a CASE expression per field and row, 15 times slower here."""
    rows = (
        [values["rule_score"], values["learned_score"], values["score_reasons"], now, lead_id]
        for lead_id, values in zip(ids, scores, strict=True)
    )
    with transaction.atomic(using=Lead.objects.db):
        update_rows(Lead, SCORE_FIELDS, rows)


def _training_examples(
    rules: list[CompiledRule], now: datetime
) -> tuple[list[dict[str, Any]], list[int]]:
    rows = list(decided_leads())
    windows = learned_windows() | behaviour_windows(rules)
    features: list[dict[str, Any]] = []
    labels: list[int] = []
    for start in range(0, len(rows), RESCORE_BATCH):
        chunk = rows[start : start + RESCORE_BATCH]
        counts = behaviour_counts([r["id"] for r in chunk], windows, now=now)
        for row in chunk:
            c = counts.get(row["id"], {})
            rule_score = lead_rule_score(lead=row, rules=rules, counts=c).score
            features.append(lead_features(row, c, rule_score))
            labels.append(lead_label(row))
    return features, labels


@transaction.atomic
def scoring_model_train(*, actor: Actor) -> LeadScoringModel:
    """Train the learned score on the decided leads (qualified or converted against
    disqualified) and make it the current model; then every lead is rescored (a task, after
    commit). Refused with a ValidationError when either class has fewer than
    ``RAPPORT_LEAD_SCORING_MIN_EXAMPLES`` leads: the current model, if any, stays."""
    _require_admin(actor)
    now = timezone.now()
    features, labels = _training_examples(active_rules(), now)
    minimum = int(settings.RAPPORT_LEAD_SCORING_MIN_EXAMPLES)
    try:
        trained = train(features, labels, min_examples=minimum)
    except TrainingRefused:
        positives = sum(labels)
        raise ValidationError(
            _(
                "Too few decided leads to learn from: %(positives)d qualified and "
                "%(negatives)d disqualified, at least %(minimum)d of each are needed. "
                "Leads keep their rule scores; the learned score stays as it is."
            )
            % {"positives": positives, "negatives": len(labels) - positives, "minimum": minimum},
            code="too_few_examples",
        ) from None
    model = LeadScoringModel.objects.create(
        trained_at=now,
        trained_by=actor.user if actor.user is not None and actor.user.pk else None,
        pipeline=pipeline_dump(trained.pipeline),
        sklearn_version=trained.sklearn_version,
        positives=trained.positives,
        negatives=trained.negatives,
        holdout_size=trained.holdout_size,
        auc=trained.auc,
        brier=trained.brier,
        base_rate=trained.base_rate,
        features=trained.features,
        weights=[[name, round(w, 4)] for name, w in trained.weights()],
    )
    old = LeadScoringModel.objects.order_by("-trained_at", "-id").values_list("id", flat=True)
    LeadScoringModel.objects.filter(id__in=list(old[MODELS_KEPT:])).delete()
    _rescore_after_commit()
    return model


def scoring_rules_changed(**_kw: Any) -> None:
    """A rule was saved or is being deleted (its after_save and before_delete hook): every
    lead is scored again once the change commits, not at the next nightly run."""
    _rescore_after_commit()


def _rescore_after_commit() -> None:
    # Imported here: the tasks module imports this one.
    from rapport.scoring.tasks import scoring_leads_rescore

    transaction.on_commit(scoring_leads_rescore.enqueue)
