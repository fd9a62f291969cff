"""Pipelines generated from a known logistic model, for the win-probability tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rapport.analytics.win_probability import DAY, PipelineData

# pipeline 1: four open stages with the usual default probabilities, then won, lost
STAGES = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "position": [0, 1, 2, 3, 4, 5],
        "probability": [10, 20, 50, 75, 100, 0],
        "is_open": [True, True, True, True, False, False],
    }
)
NOW = 4 * 365 * DAY


def synthetic_pipeline(n: int, *, seed: int = 1, signal: float = 1.0) -> PipelineData:
    """``n`` opportunities over four years; ``signal`` scales how much the features matter.

    Outcome log-odds: -0.9 + signal * (owner skill + 2.5 (engagement - 0.55) - 1.2 size).
    Won deals pass every open stage, lost ones drop out at a random one; activities arrive at
    a rate proportional to the engagement during the deal's life.
    """
    rng = np.random.default_rng(seed)
    owners = rng.integers(1, 9, n)
    skill = rng.normal(0, 0.7, 9)
    engagement = rng.uniform(0.1, 1.0, n)
    size = rng.uniform(-1.5, 1.5, n)
    created = np.sort(rng.uniform(0, NOW - 20 * DAY, n))
    duration = rng.uniform(14, 170, n) * DAY
    is_closed = (created + duration < NOW - DAY) & (rng.uniform(size=n) < 0.95)
    closed = np.where(is_closed, created + duration, np.nan)
    logit = -0.9 + signal * (skill[owners] + 2.5 * (engagement - 0.55) - 1.2 * size)
    won = np.where(
        is_closed, (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float), np.nan
    )
    stage = np.empty(n, dtype=np.int64)
    history: list[tuple[int, int, float, float]] = []
    activities: list[tuple[int, float]] = []
    for i in range(n):
        opp = i + 1
        end = closed[i] if is_closed[i] else NOW
        if is_closed[i]:
            reached = 4 if won[i] == 1 else 1 + int(rng.integers(0, 4))
            path = [*range(1, reached + 1), 5 if won[i] == 1 else 6]
        else:
            current = 1 + int(rng.integers(0, 4))
            path = list(range(1, current + 1))
        times = np.linspace(created[i], end, len(path) + (0 if is_closed[i] else 1))
        for k, s in enumerate(path):
            left = float(times[k + 1]) if k + 1 < len(path) else np.nan
            if is_closed[i] and k + 1 == len(path):
                history.append((opp, s, float(end), np.nan))
            else:
                history.append((opp, s, float(times[k]), left))
        stage[i] = path[-1]
        count = rng.poisson(engagement[i] * 15)
        for at in rng.uniform(created[i], end, count):
            activities.append((opp, float(at)))
    opportunities = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "owner": owners,
            "pipeline": 1,
            "stage": stage,
            "source": rng.choice(["web", "referral", "event", ""], n),
            "amount": np.exp(9.3 + size),
            "created": created,
            "closed": closed,
            "won": won,
        }
    )
    return PipelineData(
        opportunities,
        STAGES,
        pd.DataFrame(history, columns=["opportunity", "stage", "entered", "left"]),
        pd.DataFrame(activities, columns=["opportunity", "at"]),
    )
