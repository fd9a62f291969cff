"""Reads of lead scoring: active rules, the current model, behaviour counts and features.

These run inside the scoring services: no user's restrictions apply, every lead is scored
alike. ``model_status`` is shown to users, but only as organisation-wide counts and metrics
(what the model learned from), never a lead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sklearn
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from rapport.activities.models import Activity
from rapport.analytics.lead_scoring import (
    ACTIVITY_KINDS,
    LinearScorer,
    compile_pipeline,
    pipeline_load,
)
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.scoring.choices import Behaviour
from rapport.scoring.models import LeadScoringModel, ScoringRule
from rapport.scoring.rules import CompiledRule, compile_rules
from rapport.webforms.models import WebFormSubmission

# The lead fields scoring reads (rules may test any scorable field).
LEAD_VALUES = (
    "id",
    "salutation",
    "given_name",
    "family_name",
    "email",
    "phone",
    "job_title",
    "company",
    "website",
    "industry",
    "employee_count",
    "city",
    "region",
    "country",
    "source",
    "status",
    "disqualified_reason",
    "rating",
    "description",
    "converted_at",
)


def active_rules() -> list[CompiledRule]:
    return compile_rules(ScoringRule.objects.filter(active=True).order_by("name", "id"))


def current_model() -> LeadScoringModel | None:
    """The newest training, without its pipeline bytes (``model_scorer`` reads them)."""
    return LeadScoringModel.objects.defer("pipeline").order_by("-trained_at", "-id").first()


# Compiled scorers by model id: a model row never changes once written, so a process may keep
# its scorer instead of reading and unpickling the pipeline on every lead saved.
_scorers: dict[int, LinearScorer] = {}


def model_scorer(model: LeadScoringModel) -> LinearScorer | None:
    """The scorer of ``model``'s fitted pipeline; None if another scikit-learn version wrote
    it (unpickling it could fail or, worse, behave differently)."""
    if model.sklearn_version != sklearn.__version__:
        return None
    if model.pk not in _scorers:
        data = LeadScoringModel.objects.filter(pk=model.pk).values_list("pipeline", flat=True)
        scorer = compile_pipeline(pipeline_load(bytes(data[0])))
        _scorers.clear()
        _scorers[model.pk] = scorer
    return _scorers[model.pk]


def behaviour_counts(
    lead_ids: Sequence[int],
    windows: Iterable[tuple[str, int | None]],
    *,
    now: datetime,
) -> dict[int, dict[tuple[str, int | None], int]]:
    """Per lead, the count of each (behaviour, days) in ``windows``: at most one query for
    activities and one for web-form submissions, however many leads and windows."""
    windows = set(windows)
    counts: dict[int, dict[tuple[str, int | None], int]] = defaultdict(dict)
    if not lead_ids or not windows:
        return counts
    activity_days = sorted(
        {days for b, days in windows if b != Behaviour.WEBFORM}, key=lambda d: d or 0
    )
    if activity_days:
        annotations = {_alias(days): _count(days, now) for days in activity_days}
        activity_rows: Any = (
            Activity.objects.filter(
                related_type=ContentType.objects.get_for_model(Lead), related_id__in=lead_ids
            )
            .values("related_id", "kind")
            .annotate(**annotations)
            .order_by()
        )
        for row in activity_rows:
            for days in activity_days:
                counts[row["related_id"]][(row["kind"], days)] = row[_alias(days)]
    submission_days = sorted(
        {days for b, days in windows if b == Behaviour.WEBFORM}, key=lambda d: d or 0
    )
    if submission_days:
        annotations = {_alias(days): _count(days, now) for days in submission_days}
        submission_rows: Any = (
            WebFormSubmission.objects.filter(lead_id__in=lead_ids)
            .values("lead_id")
            .annotate(**annotations)
            .order_by()
        )
        for row in submission_rows:
            for days in submission_days:
                counts[row["lead_id"]][(Behaviour.WEBFORM.value, days)] = row[_alias(days)]
    return counts


def _alias(days: int | None) -> str:
    return "all_time" if days is None else f"days_{days}"


def _count(days: int | None, now: datetime) -> Count:
    if days is None:
        return Count("id")
    return Count("id", filter=Q(created_at__gte=now - timedelta(days=days)))


def learned_windows() -> set[tuple[str, int | None]]:
    """The counts the learned model reads: each activity kind and web-form submissions, all
    time."""
    return {(kind, None) for kind in ACTIVITY_KINDS} | {(Behaviour.WEBFORM.value, None)}


def lead_features(
    lead: Any, counts: dict[tuple[str, int | None], int], rule_score: int
) -> dict[str, Any]:
    """The learned model's feature dict of a lead (an instance or a dict of its values)."""
    get = lead.get if isinstance(lead, dict) else lambda name: getattr(lead, name, None)
    country = get("country")
    return {
        "source": get("source") or "",
        "industry": get("industry") or "",
        "country": str(getattr(country, "code", country) or ""),
        "job_title": get("job_title") or "",
        "employee_count": get("employee_count"),
        "has_email": bool(get("email")),
        "has_phone": bool(get("phone")),
        **{f"activities_{k}": counts.get((k, None), 0) for k in ACTIVITY_KINDS},
        "webform_submissions": counts.get((Behaviour.WEBFORM.value, None), 0),
        "rule_score": rule_score,
    }


def decided_leads_count() -> dict[str, int]:
    """How many leads the model can learn from: qualified (or converted), disqualified."""
    row = Lead.objects.aggregate(
        positives=Count("id", filter=_positive()),
        negatives=Count("id", filter=_negative()),
    )
    return {"positives": row["positives"], "negatives": row["negatives"]}


def _positive() -> Q:
    return Q(status=LeadStatus.QUALIFIED) | Q(converted_at__isnull=False)


def _negative() -> Q:
    return Q(status=LeadStatus.DISQUALIFIED, converted_at__isnull=True)


def decided_leads() -> Any:
    """Leads that are examples for the model, as value dicts."""
    return Lead.objects.filter(_positive() | _negative()).values(*LEAD_VALUES).order_by("id")


def lead_label(values: dict[str, Any]) -> int:
    return (
        1 if values["status"] == LeadStatus.QUALIFIED or values["converted_at"] is not None else 0
    )


def model_status() -> dict[str, Any]:
    """The current model's metrics (None when there is none) and how many leads a training
    would learn from now."""
    model = current_model()
    available = decided_leads_count()
    status: dict[str, Any] = {
        "trained": model is not None,
        "usable": model is not None and model.sklearn_version == sklearn.__version__,
        "min_examples": int(settings.RAPPORT_LEAD_SCORING_MIN_EXAMPLES),
        "available_positives": available["positives"],
        "available_negatives": available["negatives"],
        "features": model.features if model else [],
        "weights": model.weights if model else [],
    }
    for name in ("trained_at", "positives", "negatives", "holdout_size", "auc", "brier"):
        status[name] = getattr(model, name) if model else None
    status["base_rate"] = model.base_rate if model else None
    return status
