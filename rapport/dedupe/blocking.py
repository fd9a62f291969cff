"""Candidate pairs from blocking keys, so that matching is far from quadratic.

Each person gets a handful of keys (e-mail, phone tail, name keys, company + given initial);
only people sharing a key are compared. A block larger than ``max_block`` (a shared office
number, the 王伟s of a large file) is not compared all-to-all: its members are sorted by name
and each is paired with its ``window`` nearest neighbours on either side (sorted
neighbourhood), which keeps the work linear.

Pairs are produced person by person (``Blocks.neighbours``): the candidates of person ``i`` are
the members of its blocks after ``i``, gathered in a set, so that a pair sharing several keys
is compared once without a global set of every pair seen. A range of people can be handled
by one worker process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=1 << 18)
def _name_keys(given: str, family: str) -> tuple[str, ...]:
    if given and family:
        keys = (f"n:{phonetic_key(family)}/{given[:2]}", f"n:{phonetic_key(given)}/{family[:2]}")
        return keys if keys[0] != keys[1] else keys[:1]
    if given or family:
        return (f"n:{phonetic_key(given or family)}/",)
    return ()


def _contact_keys(person: NormalisedPerson) -> frozenset[str]:
    """E-mail addresses and phone tails, unprefixed: an address has an ``@``, a tail only
    digits, every other key an ``x:`` prefix and no ``@``."""
    return person.emails | person.phone_tails


def _other_keys(person: NormalisedPerson) -> list[str]:
    """The name, Chinese-name and company keys of ``person``, each once."""
    keys = list(_name_keys(person.given, person.family))
    if person.given_han or person.family_han:
        keys.append(f"h:{person.family_han}{person.given_han}")
    given_or_family = person.given or person.family
    if person.company and given_or_family:
        keys.append(f"c:{person.company}/{given_or_family[:1]}")
    return keys


def blocking_keys(person: NormalisedPerson) -> set[str]:
    """The keys ``person`` is filed under; records with no key in common are never compared.

    The two name keys are symmetric in given and family name, so a swapped record (Wang
    Xiaoming / Xiaoming Wang) produces the same pair of keys."""
    keys = {f"e:{e}" for e in person.emails}
    keys.update(f"p:{tail}" for tail in person.phone_tails)
    keys.update(_other_keys(person))
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


class Blocks:
    """The blocks of a list of people, ready to hand out each person's candidates.

    Each person keeps references to its blocks (the lists of their members' indexes), its
    e-mail and phone blocks first, so that handing out candidates looks no key up again.
    Members of a capped block are sorted by name and each member's position is kept, for the
    window."""

    def __init__(
        self,
        people: Sequence[NormalisedPerson],
        *,
        max_block: int = DEFAULT_MAX_BLOCK,
        window: int = DEFAULT_WINDOW,
    ) -> None:
        self.people = people
        self.max_block = max_block
        self.window = window
        index: dict[str, list[int]] = {}
        get = index.get
        # Per person: its blocks, e-mail and phone ones first, and how many of those there are.
        # (Blocks of one stay referenced: dropping them took longer than the memory is worth.)
        self.blocks_of: list[list[list[int]]] = []
        self.contact_counts: list[int] = []
        for i, person in enumerate(people):
            contact = person.emails | person.phone_tails
            mine = []
            for key in (*contact, *_other_keys(person)):
                block = get(key)
                if block is None:
                    block = index[key] = [i]
                else:
                    block.append(i)
                mine.append(block)
            self.blocks_of.append(mine)
            self.contact_counts.append(len(contact))
        self.key_count = len(index)
        self.largest_block = max(map(len, index.values()), default=0)
        # Capped blocks by id(): their lists live as long as the people refer to them.
        self.positions: dict[int, dict[int, int]] = {}
        self.member_sets: dict[int, frozenset[int]] = {}
        for block in index.values():
            if len(block) > max_block:
                block.sort(key=lambda k: (people[k].family, people[k].given, k))
                self.positions[id(block)] = {member: pos for pos, member in enumerate(block)}
                self.member_sets[id(block)] = frozenset(block)

    @property
    def capped_blocks(self) -> int:
        return len(self.positions)

    def neighbourhood(self, index: int) -> tuple[set[int], set[int]]:
        """Everyone sharing a block with person ``index`` (and, if it has any key, itself), in a
        capped block only those within ``window`` places of it in name order; and the part of
        them sharing an e-mail address or a phone tail with it."""
        found: set[int] = set()
        contacts: set[int] = set()
        capped_contacts = []
        max_block, window = self.max_block, self.window
        blocks, contact_count = self.blocks_of[index], self.contact_counts[index]
        for block in blocks[:contact_count]:
            if len(block) <= max_block:
                found.update(block)
                contacts.update(block)
            else:
                pos = self.positions[id(block)][index]
                found.update(block[max(pos - window, 0) : pos + window + 1])
                capped_contacts.append(block)
        for block in blocks[contact_count:]:
            if len(block) <= max_block:
                found.update(block)
            else:
                pos = self.positions[id(block)][index]
                found.update(block[max(pos - window, 0) : pos + window + 1])
        for block in capped_contacts:
            contacts |= found & self.member_sets[id(block)]
        return found, contacts

    def neighbours(self, index: int) -> set[int]:
        """The people after ``index`` (in list order) that share a block with it."""
        return {j for j in self.neighbourhood(index)[0] if j > index}

    def pairs(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, int]]:
        """Every candidate pair ``(i, j)``, ``i < j``, with ``start <= i < stop``."""
        end = len(self.people) if stop is None else stop
        for i in range(start, end):
            for j in sorted(self.neighbours(i)):
                yield i, j

    def stats(self, candidate_pairs: int) -> BlockingStats:
        return BlockingStats(
            len(self.blocks_of),
            self.key_count,
            self.largest_block,
            self.capped_blocks,
            candidate_pairs,
        )


def candidate_pairs(
    people: Sequence[NormalisedPerson],
    *,
    max_block: int = DEFAULT_MAX_BLOCK,
    window: int = DEFAULT_WINDOW,
) -> tuple[list[tuple[int, int]], BlockingStats]:
    """Distinct index pairs ``(i, j)``, ``i < j``, of people sharing a blocking key."""
    blocks = Blocks(people, max_block=max_block, window=window)
    pairs = list(blocks.pairs())
    return pairs, blocks.stats(len(pairs))
