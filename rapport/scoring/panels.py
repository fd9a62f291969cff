"""The "Scores" panel of the lead page: rule score and learned score side by side, each with
its top reasons. Read from the lead's own fields: no query."""

from __future__ import annotations

from typing import Any

from rapport.framework.ui.hooks import RecordPanel, record_panel
from rapport.scoring.reasons import learned_reason_texts

TOP_REASONS = 3


def lead_scores_panel(*, user: Any, record_type: Any, record: Any) -> dict[str, Any]:
    reasons = record.score_reasons if isinstance(record.score_reasons, dict) else {}
    learned = record.learned_score
    return {
        "rule_score": record.rule_score,
        "rule_reasons": list(reasons.get("rule") or [])[:TOP_REASONS],
        "learned_percent": None if learned is None else round(learned * 100),
        "learned_reasons": learned_reason_texts(list(reasons.get("learned") or [])[:TOP_REASONS]),
        "scored_at": record.scored_at,
        "is_admin": bool(getattr(user, "is_superuser", False)),
    }


record_panel(RecordPanel(("leads",), "scoring/_scores_panel.html", lead_scores_panel, order=10))
