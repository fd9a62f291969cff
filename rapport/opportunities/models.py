"""Pipelines, stages, opportunities and their stage history."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.accounts.choices import Source
from rapport.framework.base_models import ConfigModel, RecordModel
from rapport.opportunities.choices import (
    CloseReasonKind,
    ContactRole,
    ForecastCategory,
    StageKind,
)

_percent = [MinValueValidator(0), MaxValueValidator(100)]


def _positive(value: Decimal) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("Enter a quantity greater than 0."), code="not_positive")


class Pipeline(ConfigModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(ConfigModel):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="stages", verbose_name=_("pipeline")
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("default probability (%)"), default=0, validators=_percent
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN
    )
    # The forecast category of opportunities in this stage (unless the rep sets their own);
    # blank: derived from the kind and probability when the stage is saved.
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=12,
        choices=ForecastCategory.choices,
        blank=True,
        db_default="",
    )
    # Names of opportunity fields that must be filled while an opportunity is in this stage.
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(RecordModel):
    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("account"),
    )
    primary_contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("primary contact"),
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="+", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.ForeignKey(
        "currencies.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), null=True, blank=True, validators=_percent
    )
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=12,
        choices=ForecastCategory.choices,
        blank=True,
        db_default="",
    )
    # The win-probability model's estimate (rapport.analytics), refreshed by a scheduled job.
    predicted_probability = models.FloatField(
        _("predicted win probability"), null=True, blank=True, editable=False
    )
    predicted_at = models.DateTimeField(null=True, blank=True, editable=False)
    close_reason = models.ForeignKey(
        "opportunities.CloseReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("close reason"),
    )
    # When the opportunity entered its current stage (the open StageHistory row's entered_at),
    # kept here so that lists and board cards show the time in stage without a query.
    stage_entered_at = models.DateTimeField(
        _("in stage since"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["owner", "expected_close_date"]),
            models.Index(fields=["pipeline", "stage"]),
            models.Index(fields=["name", "id"]),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityContact(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="contact_roles"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER
    )

    class Meta:
        verbose_name = _("opportunity contact")
        verbose_name_plural = _("opportunity contacts")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact"], name="oppcontact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} ({self.role})"


class StageHistory(models.Model):
    """One stay of an opportunity in one stage: the typed timeline of stage changes."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_history"
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("stage history")
        verbose_name_plural = _("stage history")
        ordering = ["entered_at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.stage_id}"


class CloseReason(ConfigModel):
    """Why deals are won or lost: chosen when an opportunity is closed."""

    kind = models.CharField(_("kind"), max_length=4, choices=CloseReasonKind.choices)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("close reason")
        verbose_name_plural = _("close reasons")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="closereason_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Competitor(ConfigModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpportunityCompetitor(models.Model):
    """A competitor in the running for an opportunity; ``is_winner`` marks the one it was
    lost to."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="competitors"
    )
    competitor = models.ForeignKey(
        Competitor, on_delete=models.PROTECT, related_name="+", verbose_name=_("competitor")
    )
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    is_winner = models.BooleanField(_("won the deal"), default=False)

    class Meta:
        verbose_name = _("opportunity competitor")
        verbose_name_plural = _("opportunity competitors")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "competitor"], name="oppcompetitor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.competitor_id}"


class OpportunityLine(models.Model):
    """A product on an opportunity. Without a unit price the price book entry of the
    opportunity's currency gives it; the lines' total is the opportunity's amount."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=4, validators=[_positive]
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=7,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.product_id} x {self.quantity}"
