from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    SLA_REMINDER = "sla_reminder", _("First response due soon")
    SLA_OVERDUE = "sla_overdue", _("First response overdue")
    QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted by the customer")
    QUOTE_DECLINED = "quote_declined", _("Quote declined by the customer")
