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

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["display_name", "id"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self) -> str:
        return self.display_name
