"""The "Win probability" panel of the opportunity page: the model's estimate beside the
stage's default probability. Read from the opportunity's own fields: no query."""

from __future__ import annotations

from typing import Any

from rapport.framework.ui.hooks import RecordPanel, record_panel


def opportunity_win_panel(*, user: Any, record_type: Any, record: Any) -> dict[str, Any] | None:
    if record.closed_at is not None:
        return None  # decided: the outcome is known
    predicted = record.predicted_probability
    return {
        "stage_percent": record.probability,
        "predicted_percent": None if predicted is None else round(predicted * 100),
        "predicted_at": record.predicted_at,
    }


record_panel(
    RecordPanel(("opportunities",), "predictions/_win_panel.html", opportunity_win_panel, order=20)
)
