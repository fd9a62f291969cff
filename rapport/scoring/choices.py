from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    FIELD = "field", _("Lead field")
    BEHAVIOUR = "behaviour", _("Behaviour")


class Operator(models.TextChoices):
    EQUALS = "equals", _("equals")
    ONE_OF = "one_of", _("is one of")
    CONTAINS = "contains", _("contains")
    IS_SET = "is_set", _("is set")
    IS_EMPTY = "is_empty", _("is empty")
    AT_LEAST = "at_least", _("is at least")
    AT_MOST = "at_most", _("is at most")


class Behaviour(models.TextChoices):
    """What a behaviour rule counts: activities of one kind (rapport.activities) logged on the
    lead, or web-form submissions that brought in or completed it."""

    CALL = "call", _("Calls")
    MEETING = "meeting", _("Meetings")
    EMAIL = "email", _("Logged emails")
    TASK = "task", _("Tasks")
    NOTE = "note", _("Notes")
    WEBFORM = "webform", _("Web-form submissions")


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    CHOICE = "choice", _("choice")
    NUMBER = "number", _("number")


# Which operators fit which kind of value (behaviour rules compare a count: a number).
OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    FieldKind.TEXT: (
        Operator.EQUALS,
        Operator.ONE_OF,
        Operator.CONTAINS,
        Operator.IS_SET,
        Operator.IS_EMPTY,
    ),
    FieldKind.CHOICE: (Operator.EQUALS, Operator.ONE_OF, Operator.IS_SET, Operator.IS_EMPTY),
    FieldKind.NUMBER: (
        Operator.EQUALS,
        Operator.AT_LEAST,
        Operator.AT_MOST,
        Operator.IS_SET,
        Operator.IS_EMPTY,
    ),
}
VALUELESS = (Operator.IS_SET, Operator.IS_EMPTY)
