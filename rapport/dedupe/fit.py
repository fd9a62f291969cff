"""Fit the logistic weights of ``scoring`` on generated data (Newton's method, ridge penalty).

Run ``python -m rapport.dedupe.fit`` after changing a feature and paste the printed tuple into
``scoring.WEIGHTS``. Pure Python: a dozen features need no linear-algebra library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rapport.dedupe.blocking import candidate_pairs
from rapport.dedupe.generate import generate_people
from rapport.dedupe.normalise import normalise
from rapport.dedupe.scoring import FEATURES, pair_features

FIT_PEOPLE = 20_000
FIT_SEED = 11
RIDGE = 1.0  # keeps weights finite when a feature separates the classes on its own


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve ``matrix @ x = vector`` by Gaussian elimination with partial pivoting."""
    n = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col]:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def fit_logistic(
    x: Sequence[Sequence[float]], y: Sequence[int], iterations: int = 25
) -> list[float]:
    """Ridge-penalised logistic regression weights (the bias, column 0, is not penalised)."""
    k = len(x[0])
    w = [0.0] * k
    for _ in range(iterations):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for row, label in zip(x, y, strict=True):
            z = sum(a * b for a, b in zip(w, row, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))
            err, curv = p - label, p * (1.0 - p)
            active = [(i, v) for i, v in enumerate(row) if v]
            for i, v in active:
                grad[i] += err * v
                for j, u in active:
                    hess[i][j] += curv * v * u
        for i in range(1, k):
            grad[i] += RIDGE * w[i]
            hess[i][i] += RIDGE
        hess[0][0] += 1e-9
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def fit_weights(people: int = FIT_PEOPLE, seed: int = FIT_SEED) -> list[float]:
    """Weights fitted on the candidate pairs of ``generate_people(people, seed)``."""
    data = generate_people(people, seed=seed)
    normalised = [normalise(r, region="US") for r in data.records]
    pairs, _ = candidate_pairs(normalised)
    x: list[list[float]] = []
    y: list[int] = []
    for i, j in pairs:
        a, b = normalised[i], normalised[j]
        x.append(pair_features(a, b)[0])
        key = (a.id, b.id) if int(a.id) < int(b.id) else (b.id, a.id)
        y.append(int(key in data.true_pairs))
    return fit_logistic(x, y)


if __name__ == "__main__":
    weights = fit_weights()
    for name, weight in zip(FEATURES, weights, strict=True):
        print(f"{name:>30} {weight:8.2f}")
    print("(" + ", ".join(f"{w:.2f}" for w in weights) + ")")
