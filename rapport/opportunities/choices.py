from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    END_USER = "end_user", _("End user")
    TECHNICAL_BUYER = "technical_buyer", _("Technical buyer")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    OTHER = "other", _("Other")


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    OMITTED = "omitted", _("Omitted")
    CLOSED = "closed", _("Closed")


class CloseReasonKind(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
