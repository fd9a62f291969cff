"""Telephone numbers that ``phonenumbers`` accepts as valid, in E.164 and human format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Random = Callable[[], float]


@dataclass(frozen=True)
class NumberSpec:
    """A numbering block: ``+cc prefix`` then ``digits`` more digits, the first in ``first``.

    ``groups`` splits the national number for display, joined by ``sep``
    (``+1 415-382-1234``, ``+86 138 1234 5678``, ``+33 1 42 68 53 00``).
    """

    cc: str
    prefix: str
    digits: int
    first: str = "23456789"
    groups: tuple[int, ...] = ()
    sep: str = " "

    def make(self, r: Random) -> tuple[str, str]:
        """A random number in this block: ``(formatted, e164)``."""
        rest = self.digits - 1
        tail = f"{int(r() * 10**rest):0{rest}d}" if rest else ""
        nsn = self.prefix + self.first[int(r() * len(self.first))] + tail
        parts, pos = [], 0
        for size in self.groups or (len(nsn),):
            parts.append(nsn[pos : pos + size])
            pos += size
        if pos < len(nsn):
            parts.append(nsn[pos:])
        return f"+{self.cc} {self.sep.join(parts)}", f"+{self.cc}{nsn}"


def nanp(area: str) -> NumberSpec:
    """A North American number in area code ``area``: ``+1 415-382-1234``."""
    return NumberSpec("1", area, 7, "23456789", (3, 3, 4), "-")


def uk(area: str) -> NumberSpec:
    """A UK geographic number: London ``+44 20 7xxx xxxx``, others ``+44 161 xxx xxxx``."""
    if len(area) == 2:
        return NumberSpec("44", area, 8, "378", (2, 4, 4))
    return NumberSpec("44", area, 7, "234", (3, 3, 4))


def germany(area: str) -> NumberSpec:
    """A German geographic number: ``+49 30 12345678``, ``+49 221 1234567``."""
    return NumberSpec("49", area, 10 - len(area), "2345678", (len(area),))


def france(area: str) -> NumberSpec:
    """A French geographic number: ``+33 1 42 68 53 00``."""
    return NumberSpec("33", area, 8, "12345", (1, 2, 2, 2, 2))


_AUSTRALIA_FIRST = {"2": "26789", "3": "2389", "7": "3457", "8": "789"}


def australia(area: str) -> NumberSpec:
    """An Australian geographic number: ``+61 2 9xxx xxxx``."""
    return NumberSpec("61", area, 8, _AUSTRALIA_FIRST[area], (1, 4, 4))


def china(area: str) -> NumberSpec:
    """A Chinese fixed-line number: ``+86 10 6552 9988``, ``+86 755 8xxx xxxx``."""
    return NumberSpec("86", area, 8, "234567", (len(area), 4, 4))


MOBILE: dict[str, tuple[NumberSpec, ...]] = {
    "US": (),
    "CA": (),  # North American mobiles share the geographic area codes
    "GB": tuple(NumberSpec("44", p, 8, "2345678", (4, 6)) for p in ("74", "75", "77", "78", "79")),
    "DE": tuple(
        NumberSpec("49", p, 8, "0123456789", (3, 8)) for p in ("151", "152", "157", "176", "179")
    ),
    "FR": (
        NumberSpec("33", "6", 8, "1245678", (1, 2, 2, 2, 2)),
        NumberSpec("33", "7", 8, "3456789", (1, 2, 2, 2, 2)),
    ),
    "AU": (NumberSpec("61", "4", 8, "0123", (3, 3, 3)),),
    "CN": tuple(
        NumberSpec("86", p, 8, "0123456789", (3, 4, 4))
        for p in (
            "130",
            "131",
            "132",
            "133",
            "135",
            "136",
            "137",
            "138",
            "139",
            "150",
            "151",
            "152",
            "153",
            "155",
            "156",
            "157",
            "158",
            "159",
            "176",
            "177",
            "180",
            "181",
            "182",
            "183",
            "185",
            "186",
            "187",
            "188",
            "189",
            "199",
        )
    ),
}
