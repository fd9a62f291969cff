"""Candidate pairs from blocking keys, so that matching is far from quadratic.

Each person gets a handful of keys (e-mail, phone tail, name keys, company + given initial);
only people sharing a key are compared. A block larger than ``max_block`` (a shared office
number, the 王伟s of a large file) is not compared all-to-all: its members are sorted by name
and each is paired with its ``window`` nearest neighbours, which keeps the work linear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapport.dedupe.normalise import NormalisedPerson

DEFAULT_MAX_BLOCK = 60
DEFAULT_WINDOW = 12
_VOWELS = str.maketrans("", "", "aeiouy")


def phonetic_key(name: str) -> str:
    """A light consonant skeleton: first letter, then consonants with repeats collapsed
    (``catherine`` and ``kathryn`` stay apart, ``smith``/``smyth`` -> ``smth``), so that
    vowel typos and spelling variants still share a block."""
    if not name:
        return ""
    rest = name[1:].replace("ph", "f").replace("ck", "k").translate(_VOWELS)
    out = [name[0]]
    for ch in rest:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)


def blocking_keys(person: NormalisedPerson) -> set[str]:
    """The keys ``person`` is filed under; records with no key in common are never compared.

    The two name keys are symmetric in given and family name, so a swapped record (Wang
    Xiaoming / Xiaoming Wang) produces the same pair of keys."""
    keys = {f"e:{e}" for e in person.emails}
    keys.update(f"p:{tail}" for tail in person.phone_tails)
    given, family = person.given, person.family
    if given and family:
        keys.add(f"n:{phonetic_key(family)}/{given[:2]}")
        keys.add(f"n:{phonetic_key(given)}/{family[:2]}")
    elif given or family:
        keys.add(f"n:{phonetic_key(given or family)}/")
    if person.given_han or person.family_han:
        keys.add(f"h:{person.family_han}{person.given_han}")
    if person.company and (given or family):
        keys.add(f"c:{person.company}/{(given or family)[:1]}")
    return keys


@dataclass(frozen=True)
class BlockingStats:
    """How the blocks came out: ``capped_blocks`` were compared by window, not all-to-all."""

    records: int
    blocks: int
    largest_block: int
    capped_blocks: int
    candidate_pairs: int

    @property
    def pair_fraction(self) -> float:
        """Candidate pairs as a share of all n(n-1)/2 pairs."""
        total = self.records * (self.records - 1) // 2
        return self.candidate_pairs / total if total else 0.0


def _block_pairs(
    members: Sequence[int], people: Sequence[NormalisedPerson], window: int, capped: bool
) -> Iterable[tuple[int, int]]:
    if not capped:
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                yield (i, j) if i < j else (j, i)
        return
    ordered = sorted(members, key=lambda k: (people[k].family, people[k].given))
    for pos, i in enumerate(ordered):
        for j in ordered[pos + 1 : pos + 1 + window]:
            yield (i, j) if i < j else (j, i)


def candidate_pairs(
    people: Sequence[NormalisedPerson],
    *,
    max_block: int = DEFAULT_MAX_BLOCK,
    window: int = DEFAULT_WINDOW,
) -> tuple[list[tuple[int, int]], BlockingStats]:
    """Distinct index pairs ``(i, j)``, ``i < j``, of people sharing a blocking key."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, person in enumerate(people):
        for key in blocking_keys(person):
            blocks[key].append(index)
    n = len(people)
    seen: set[int] = set()
    pairs: list[tuple[int, int]] = []
    largest = capped = 0
    for members in blocks.values():
        if len(members) < 2:
            continue
        largest = max(largest, len(members))
        is_capped = len(members) > max_block
        capped += is_capped
        for i, j in _block_pairs(members, people, window, is_capped):
            code = i * n + j
            if code not in seen:
                seen.add(code)
                pairs.append((i, j))
    stats = BlockingStats(n, len(blocks), largest, capped, len(pairs))
    return pairs, stats
