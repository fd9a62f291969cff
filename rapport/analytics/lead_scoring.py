"""The learned lead score: the probability that a lead is qualified, with its top reasons.

Method: logistic regression (scikit-learn ``LogisticRegression``, L2 penalty, C = 1) over
one-hot encoded categories (source, industry, country, seniority read from the job title) and
standardised numbers (log of the employee count, with a missing-value indicator; whether an
email address, a phone number and a job title are given; activity and web-form submission
counts; the rule score). Examples are the organisation's own decided leads: qualified (or
converted) = 1, disqualified = 0. A stratified quarter of them is held out to report the area
under the ROC curve and the Brier score; the model that scores leads is then refitted on all of
them. Each lead's reasons are the terms of its linear predictor, coefficient x transformed
feature (a category's term counts against the absence of every category; a number's against
the average lead), largest in absolute value first, in log-odds units.

Limitations: the counts of a decided lead include activities logged after the decision, and
logistic regression sees no interactions; both are the price of an interpretable model.

Input is a list of feature dicts (see ``FEATURES``), so the module runs on any table of leads
(a CSV as well as the live database); it never touches the ORM.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CATEGORICAL = ("source", "industry", "country", "seniority")
ACTIVITY_KINDS = ("call", "meeting", "email", "task", "note")
NUMERIC = (
    "employee_count_log",
    "has_email",
    "has_phone",
    "has_job_title",
    *(f"activities_{kind}" for kind in ACTIVITY_KINDS),
    "webform_submissions",
    "rule_score",
)
# What a feature dict holds (missing keys count as empty / zero).
FEATURES = (
    "source",
    "industry",
    "country",
    "job_title",
    "employee_count",
    "has_email",
    "has_phone",
    *(f"activities_{kind}" for kind in ACTIVITY_KINDS),
    "webform_submissions",
    "rule_score",
)
HOLDOUT_SHARE = 0.25
TOP_REASONS = 3
NONE = "(none)"

# Seniority read from a job title, most senior first (but "vice president" before
# "president"); words in English and Chinese.
SENIORITY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("vp", ("vp", "vice president", "svp", "evp", "副总")),
    (
        "executive",
        (
            "chief",
            "ceo",
            "cto",
            "cfo",
            "coo",
            "cio",
            "cmo",
            "founder",
            "owner",
            "president",
            "partner",
            "总裁",
            "首席",
            "董事",
            "创始人",
            "总经理",
        ),
    ),
    ("director", ("director", "head", "总监", "主管")),
    ("manager", ("manager", "lead", "经理", "负责人")),
)
_WORD = re.compile(r"[a-z]+")


class TrainingRefused(Exception):
    """Too few decided leads to learn from; ``message`` says how many there are and how many
    are needed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def seniority(job_title: str) -> str:
    """``executive``, ``vp``, ``director``, ``manager``, ``other`` or ``(none)`` (no title)."""
    title = (job_title or "").strip().casefold()
    if not title:
        return NONE
    words = set(_WORD.findall(title))
    for level, needles in SENIORITY_WORDS:
        for needle in needles:
            # Latin words match whole words ("head", not "headquarters"); Chinese ones anywhere.
            if needle.isascii() and (needle in words or (" " in needle and needle in title)):
                return level
            if not needle.isascii() and needle in title:
                return level
    return "other"


def model_inputs(row: Mapping[str, Any]) -> dict[str, Any]:
    """The model's input columns (``CATEGORICAL`` + ``NUMERIC``) of one feature dict."""
    employees = row.get("employee_count")
    inputs: dict[str, Any] = {
        "source": str(row.get("source") or NONE),
        "industry": str(row.get("industry") or NONE),
        "country": str(row.get("country") or NONE),
        "seniority": seniority(str(row.get("job_title") or "")),
        "employee_count_log": math.log1p(float(employees)) if employees else math.nan,
        "has_email": float(bool(row.get("has_email"))),
        "has_phone": float(bool(row.get("has_phone"))),
        "has_job_title": float(bool(row.get("job_title"))),
        "webform_submissions": float(row.get("webform_submissions") or 0),
        "rule_score": float(row.get("rule_score") or 0),
    }
    for kind in ACTIVITY_KINDS:
        inputs[f"activities_{kind}"] = float(row.get(f"activities_{kind}") or 0)
    return inputs


def features_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The model's input columns of many feature dicts, as the pipeline takes them."""
    return pd.DataFrame.from_records(
        [model_inputs(row) for row in rows], columns=[*CATEGORICAL, *NUMERIC]
    )


def _pipeline() -> Pipeline:
    numbers = Pipeline(
        [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
        ]
    )
    columns = ColumnTransformer(
        [
            ("category", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
            ("number", numbers, list(NUMERIC)),
        ],
        sparse_threshold=0.0,
    )
    return Pipeline([("features", columns), ("model", LogisticRegression(C=1.0, max_iter=2000))])


@dataclass(frozen=True)
class Reason:
    """One term of a lead's linear predictor: ``feature`` (an input column), ``value`` (the
    category, or the number as given), ``weight`` (its contribution in log-odds)."""

    feature: str
    value: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "value": self.value, "weight": round(self.weight, 3)}


def reason_text(reason: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """``"Industry: software +0.8"``; ``labels`` name features (and ``feature=value`` pairs)."""
    labels = labels or {}
    feature, value = str(reason["feature"]), str(reason["value"])
    name = labels.get(feature, feature.replace("_", " ").capitalize())
    shown = labels.get(f"{feature}={value}", value)
    return f"{name}: {shown} {float(reason['weight']):+.1f}"


@dataclass
class TrainedModel:
    """A fitted pipeline with what was measured while training it."""

    pipeline: Pipeline
    positives: int
    negatives: int
    holdout_size: int
    auc: float
    brier: float
    base_rate: float
    features: list[str] = field(default_factory=list)
    sklearn_version: str = sklearn.__version__

    def weights(self) -> list[tuple[str, float]]:
        """Every transformed feature with its coefficient, largest in absolute value first."""
        names = self.pipeline.named_steps["features"].get_feature_names_out()
        coefs = self.pipeline.named_steps["model"].coef_[0]
        pairs = [(str(n), float(c)) for n, c in zip(names, coefs, strict=True)]
        return sorted(pairs, key=lambda p: -abs(p[1]))


def train(
    rows: Sequence[Mapping[str, Any]],
    labels: Sequence[int],
    *,
    min_examples: int = 30,
    random_state: int = 0,
) -> TrainedModel:
    """Fit the model on feature dicts with labels 1 (qualified) / 0 (disqualified).

    Raises TrainingRefused when either class has fewer than ``min_examples`` examples.
    """
    y = np.asarray(labels, dtype=int)
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    if positives < min_examples or negatives < min_examples:
        raise TrainingRefused(
            f"Too few decided leads to learn from: {positives} qualified and {negatives} "
            f"disqualified; at least {min_examples} of each are needed."
        )
    frame = features_frame(rows)
    x_fit, x_hold, y_fit, y_hold = train_test_split(
        frame, y, test_size=HOLDOUT_SHARE, stratify=y, random_state=random_state
    )
    holdout = _pipeline().fit(x_fit, y_fit)
    p_hold = holdout.predict_proba(x_hold)[:, 1]
    pipeline = _pipeline().fit(frame, y)
    return TrainedModel(
        pipeline=pipeline,
        positives=positives,
        negatives=negatives,
        holdout_size=len(y_hold),
        auc=float(roc_auc_score(y_hold, p_hold)),
        brier=float(brier_score_loss(y_hold, p_hold)),
        base_rate=positives / (positives + negatives),
        features=list(FEATURES),
    )


@dataclass(frozen=True)
class LinearScorer:
    """A fitted pipeline unrolled into its linear predictor, to score one lead in
    microseconds (the pipeline's own transform costs milliseconds a call, paid on every lead
    saved): each category's coefficient, and per number its fill-in value, the scaler's mean
    and scale and its coefficient; the same for the missing-value indicators."""

    intercept: float
    categories: dict[str, dict[str, float]]
    numbers: tuple[tuple[str, float, float, float, float], ...]  # name, fill, mean, scale, coef
    indicators: tuple[tuple[str, float, float, float], ...]  # name, mean, scale, coef

    def terms(self, inputs: Mapping[str, Any]) -> tuple[float, list[tuple[str, str | None, float]]]:
        """The linear predictor of ``model_inputs`` and its terms: (column, category or None
        for a number, weight)."""
        z = self.intercept
        terms: list[tuple[str, str | None, float]] = []
        for column, weights in self.categories.items():
            category = inputs[column]
            weight = weights.get(category)
            if weight is not None:  # unknown categories count as none (handle_unknown)
                z += weight
                terms.append((column, category, weight))
        for name, fill, mean, scale, coef in self.numbers:
            value = inputs[name]
            weight = coef * ((fill if math.isnan(value) else value) - mean) / scale
            z += weight
            terms.append((name, None, weight))
        for name, mean, scale, coef in self.indicators:
            weight = coef * ((1.0 if math.isnan(inputs[name]) else 0.0) - mean) / scale
            z += weight
            terms.append((name, None, weight))
        return z, terms


def compile_pipeline(pipeline: Pipeline) -> LinearScorer:
    """The ``LinearScorer`` of a pipeline made by ``train``."""
    columns = pipeline.named_steps["features"]
    model = pipeline.named_steps["model"]
    coef = [float(c) for c in model.coef_[0]]
    encoder = columns.named_transformers_["category"]
    categories: dict[str, dict[str, float]] = {}
    k = 0
    for column, seen in zip(CATEGORICAL, encoder.categories_, strict=True):
        categories[column] = {str(c): coef[k + i] for i, c in enumerate(seen)}
        k += len(seen)
    numbers_step = columns.named_transformers_["number"]
    imputer, scaler = numbers_step.named_steps["impute"], numbers_step.named_steps["scale"]
    n = len(NUMERIC)
    numbers = tuple(
        (
            name,
            float(imputer.statistics_[i]),
            float(scaler.mean_[i]),
            float(scaler.scale_[i]),
            coef[k + i],
        )
        for i, name in enumerate(NUMERIC)
    )
    indicator = imputer.indicator_
    indicators = tuple(
        (
            NUMERIC[int(index)],
            float(scaler.mean_[n + m]),
            float(scaler.scale_[n + m]),
            coef[k + n + m],
        )
        for m, index in enumerate(indicator.features_ if indicator is not None else ())
    )
    return LinearScorer(float(model.intercept_[0]), categories, numbers, indicators)


def score(
    scorer: LinearScorer, rows: Sequence[Mapping[str, Any]], *, top: int = TOP_REASONS
) -> list[tuple[float, list[Reason]]]:
    """Each feature dict's probability of qualification and its ``top`` reasons."""
    results = []
    for row in rows:
        inputs = model_inputs(row)
        z, terms = scorer.terms(inputs)
        probability = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        terms.sort(key=lambda t: -abs(t[2]))
        reasons = [
            Reason(
                column,
                category if category is not None else _shown_number(column, row, inputs[column]),
                weight,
            )
            for column, category, weight in terms[:top]
            if abs(weight) >= 0.05
        ]
        results.append((probability, reasons))
    return results


def _shown_number(column: str, row: Mapping[str, Any], value: float) -> str:
    """A number as given (the employee count, not its logarithm); ``(none)`` if missing."""
    if column == "employee_count_log":
        employees = row.get("employee_count")
        return str(employees) if employees else NONE
    return NONE if math.isnan(value) else f"{value:g}"


def pipeline_dump(pipeline: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return buffer.getvalue()


def pipeline_load(data: bytes) -> Pipeline:
    """A pipeline written by ``pipeline_dump``. Only ever give it bytes this application
    wrote itself: loading runs pickle."""
    loaded: Pipeline = joblib.load(io.BytesIO(data))
    return loaded
