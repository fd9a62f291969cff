"""Leads: prospects not yet qualified."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from rapport.accounts.choices import Industry, Source
from rapport.contacts.choices import Salutation
from rapport.framework.base_models import RecordModel
from rapport.leads.choices import DisqualifiedReason, LeadRating, LeadStatus


class Lead(RecordModel):
    salutation = models.CharField(
        _("salutation"), max_length=10, choices=Salutation.choices, blank=True
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    display_name = models.CharField(_("full name"), max_length=210, editable=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    disqualified_reason = models.CharField(
        _("disqualified reason"), max_length=20, choices=DisqualifiedReason.choices, blank=True
    )
    rating = models.CharField(_("rating"), max_length=10, choices=LeadRating.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Scores, written by rapport.scoring: points from the administrator's rules and the
    # learned model's probability of qualification, with the reasons behind each.
    rule_score = models.IntegerField(_("rule score"), null=True, blank=True, editable=False)
    learned_score = models.FloatField(_("learned score"), null=True, blank=True, editable=False)
    # Null in rows written in bulk without scoring (the demo, fast imports): not scored yet.
    score_reasons = models.JSONField(
        _("score reasons"), default=dict, null=True, blank=True, editable=False
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True, editable=False)
    # Conversion: what the lead became (rapport.leads.conversion).
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)
    converted_account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("converted account"),
    )
    converted_contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("converted contact"),
    )
    converted_opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("converted opportunity"),
    )
    # First-response SLA (rapport.assignment): due time, first response, reminder, escalation.
    response_due_at = models.DateTimeField(
        _("first response due"), null=True, blank=True, editable=False
    )
    responded_at = models.DateTimeField(
        _("first response at"), null=True, blank=True, editable=False
    )
    sla_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["display_name", "id"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["email"]),
            models.Index(fields=["response_due_at"]),
        ]

    def __str__(self) -> str:
        return self.display_name
