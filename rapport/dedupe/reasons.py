"""The reasons the matcher gives for a pair, for people to read in their language.

The matcher writes its reasons as fixed English phrases (``same email``, ``similar name
(0.93)``): stable values for the review queue, the API and ``rapport dedupe``'s CSV. Screens
show them through ``reason_label``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_FIXED = {
    "same email": gettext_lazy("same email"),
    "same phone": gettext_lazy("same phone"),
    "same name": gettext_lazy("same name"),
    "same name in pinyin, different characters": gettext_lazy(
        "same name in pinyin, different characters"
    ),
    "same name (Chinese characters and pinyin)": gettext_lazy(
        "same name (Chinese characters and pinyin)"
    ),
    "swapped given/family names": gettext_lazy("swapped given/family names"),
    "same company": gettext_lazy("same company"),
    "same city": gettext_lazy("same city"),
    "different email": gettext_lazy("different email"),
    "different phone": gettext_lazy("different phone"),
    "different company": gettext_lazy("different company"),
}
_SIMILAR = re.compile(r"similar name \((?P<score>[0-9.]+)\)")
_NICKNAME = re.compile(r"nickname \((?P<name>.+)\)")


def reason_label(reason: str) -> str:
    """``reason`` in the active language; an unknown phrase as it is."""
    if reason in _FIXED:
        return str(_FIXED[reason])
    if match := _SIMILAR.fullmatch(reason):
        return _("similar name (%(score)s)") % {"score": match["score"]}
    if match := _NICKNAME.fullmatch(reason):
        return _("nickname (%(name)s)") % {"name": match["name"]}
    return reason


def reasons_label(reasons: Iterable[str]) -> str:
    """The reasons of a pair, translated and joined for display."""
    return _(", ").join(reason_label(r) for r in reasons)
