"""Readable text of the learned score's reasons, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from rapport.accounts.choices import Industry, Source
from rapport.analytics.lead_scoring import CATEGORICAL, NONE, reason_text
from rapport.scoring.choices import Behaviour

SENIORITY_LABELS = {
    "executive": gettext_lazy("Executive"),
    "vp": gettext_lazy("Vice president"),
    "director": gettext_lazy("Director or head"),
    "manager": gettext_lazy("Manager"),
    "other": gettext_lazy("Other"),
}


def reason_labels() -> dict[str, str]:
    """Names of the model's features and of their values (``feature=value``)."""
    labels: dict[str, str] = {
        "source": _("Source"),
        "industry": _("Industry"),
        "country": _("Country"),
        "seniority": _("Seniority"),
        "employee_count_log": _("Employees"),
        "has_email": _("Email address"),
        "has_phone": _("Phone"),
        "has_job_title": _("Job title"),
        "webform_submissions": str(Behaviour.WEBFORM.label),
        "rule_score": _("Rule score"),
    }
    for behaviour in Behaviour:
        if behaviour != Behaviour.WEBFORM:
            labels[f"activities_{behaviour.value}"] = str(behaviour.label)
    for feature, choices in (("source", Source), ("industry", Industry)):
        for code, label in choices.choices:
            labels[f"{feature}={code}"] = str(label)
    for level, label in SENIORITY_LABELS.items():
        labels[f"seniority={level}"] = str(label)
    for feature in ("has_email", "has_phone", "has_job_title"):
        labels[f"{feature}=1"] = _("given")
        labels[f"{feature}=0"] = _("missing")
    return labels


def learned_reason_texts(
    reasons: list[Mapping[str, Any]], labels: Mapping[str, str] | None = None
) -> list[str]:
    """``["Industry: Software +0.8", ...]`` for stored reasons (``labels``: from
    ``reason_labels``, read once when many leads are scored at once)."""
    labels = labels if labels is not None else reason_labels()
    texts = []
    for reason in reasons:
        feature, value = str(reason.get("feature")), str(reason.get("value"))
        key = f"{feature}={value}"
        if key not in labels and (value == NONE or feature == "country"):
            shown = _("none") if value == NONE else str(countries.name(value) or value)
            texts.append(reason_text(reason, {**labels, key: shown}))
        else:
            texts.append(reason_text(reason, labels))
    return texts


def weight_label(name: str, labels: Mapping[str, str]) -> str:
    """A transformed feature of the pipeline by its readable name: ``category__industry_software``
    is "Industry: Software", ``number__missingindicator_employee_count_log`` "Employees missing"."""
    block, _sep, rest = name.partition("__")
    if block == "category":
        for column in CATEGORICAL:
            if rest.startswith(column + "_"):
                value = rest[len(column) + 1 :]
                shown = labels.get(f"{column}={value}")
                if shown is None:
                    shown = _("none") if value == NONE else str(countries.name(value) or value)
                return f"{labels.get(column, column)}: {shown}"
    if rest.startswith("missingindicator_"):
        column = rest[len("missingindicator_") :]
        return _("%(feature)s missing") % {"feature": labels.get(column, column)}
    return labels.get(rest, rest)
