from collections.abc import Iterable

from django import template

from rapport.dedupe.reasons import reasons_label

register = template.Library()


@register.filter
def duplicate_reasons(reasons: Iterable[str]) -> str:
    """A pair's reasons in the reader's language: ``{{ pair.reasons|duplicate_reasons }}``."""
    return reasons_label(reasons)
