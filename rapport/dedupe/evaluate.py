"""Precision, recall, F1 and speed of the matcher on generated people.

``python -m rapport.dedupe.evaluate --people 100000`` (or ``rapport dedupe --evaluate N``)
prints the figures quoted in docs/benchmarks.md. Recall counts every true pair, including
those that blocking never proposed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rapport.dedupe.blocking import BlockingStats, Blocks
from rapport.dedupe.generate import generate_people
from rapport.dedupe.matcher import (
    DEFAULT_THRESHOLD,
    DuplicatePair,
    normalise_all,
    paused_gc,
    score_candidates,
)

DEFAULT_REGION = "US"
# Pairs scoring below this are not kept for the threshold sweep: at the default weights no
# pair of people who both have e-mail and phone and share neither reaches it, which lets
# matching skip those pairs (the sweep starts here).
SWEEP_FLOOR = 0.30


@dataclass(frozen=True)
class Evaluation:
    """Quality at ``threshold`` and the best threshold found, with timings in seconds."""

    records: int
    true_pairs: int
    threshold: float
    precision: float
    recall: float
    f1: float
    best_threshold: float
    best_f1: float
    blocking_recall: float  # share of true pairs that blocking proposed at all
    blocking: BlockingStats
    normalise_seconds: float
    match_seconds: float

    @property
    def records_per_second(self) -> float:
        return self.records / max(self.normalise_seconds + self.match_seconds, 1e-9)

    def report(self) -> str:
        b = self.blocking
        return "\n".join(
            (
                f"records: {self.records:,}, true duplicate pairs: {self.true_pairs:,}",
                f"threshold {self.threshold:.2f}: precision {self.precision:.4f}, "
                f"recall {self.recall:.4f}, F1 {self.f1:.4f}",
                f"best threshold {self.best_threshold:.2f}: F1 {self.best_f1:.4f}",
                f"blocking: {b.candidate_pairs:,} candidate pairs ({b.pair_fraction:.2e} of all "
                f"pairs, {b.candidate_pairs / max(b.records, 1):.1f} per record), "
                f"{b.blocks:,} keys, largest block {b.largest_block}, "
                f"{b.capped_blocks} capped; recall of blocking {self.blocking_recall:.4f}",
                f"time: normalise {self.normalise_seconds:.1f} s, block and score "
                f"{self.match_seconds:.1f} s, {self.records_per_second:,.0f} records/s",
            )
        )


def _quality(
    scored: Sequence[DuplicatePair], truth: set[tuple[str, str]], threshold: float
) -> tuple[float, float, float]:
    found = {(p.left_id, p.right_id) for p in scored if p.score >= threshold}
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def _blocking_recall(blocks: Blocks, ids: list[str], truth: set[tuple[str, str]]) -> float:
    """The share of true pairs that blocking proposes."""
    if not truth:
        return 1.0
    index = {record_id: i for i, record_id in enumerate(ids)}
    proposed = sum(1 for a, b in truth if index[b] in blocks.neighbourhood(index[a])[0])
    return proposed / len(truth)


def evaluate(
    people: int,
    *,
    seed: int = 2026,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
) -> Evaluation:
    """Generate ``people`` distinct people (plus duplicates), match them and measure; large
    sets use ``workers`` processes (default one per CPU)."""
    data = generate_people(people, seed=seed)
    started = time.perf_counter()
    normalised = normalise_all(data.records, region=DEFAULT_REGION, workers=workers)
    normalised_at = time.perf_counter()
    with paused_gc():
        blocks = Blocks(normalised)
    floor = min(SWEEP_FLOOR, threshold)
    scored, stats = score_candidates(normalised, floor=floor, workers=workers, blocks=blocks)
    matched_at = time.perf_counter()
    # Generated ids are integers, so id_sort_key order equals the numeric order of the truth.
    truth = data.true_pairs
    precision, recall, f1 = _quality(scored, truth, threshold)
    best_threshold, best_f1 = threshold, f1
    for step in range(round(floor * 100), 100, 5):
        t = step / 100
        f = _quality(scored, truth, t)[2]
        if f > best_f1:
            best_threshold, best_f1 = t, f
    return Evaluation(
        records=len(data.records),
        true_pairs=len(truth),
        threshold=threshold,
        precision=precision,
        recall=recall,
        f1=f1,
        best_threshold=best_threshold,
        best_f1=best_f1,
        blocking_recall=_blocking_recall(blocks, [r.id for r in data.records], truth),
        blocking=stats,
        normalise_seconds=normalised_at - started,
        match_seconds=matched_at - normalised_at,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate the duplicate matcher.")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    args = parser.parse_args(argv)
    result = evaluate(args.people, seed=args.seed, threshold=args.threshold, workers=args.workers)
    print(result.report())


if __name__ == "__main__":
    main()
