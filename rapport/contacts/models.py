"""Contacts: people at customer companies, with emails, phones and account memberships."""

from django.conf import global_settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from rapport.contacts.choices import BuyingRole, EmailLabel, PhoneLabel, Salutation
from rapport.framework.base_models import RecordModel


class Contact(RecordModel):
    salutation = models.CharField(
        _("salutation"), max_length=10, choices=Salutation.choices, blank=True
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    display_name = models.CharField(_("full name"), max_length=210, editable=False)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=150, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=global_settings.LANGUAGES, blank=True
    )
    street = models.CharField(_("street"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = CountryField(_("country"), blank=True)
    # Denormalised from the primary child rows so that lists sort and filter on one table.
    primary_email = models.CharField(_("email"), max_length=254, blank=True, editable=False)
    primary_phone = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    primary_account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("primary account"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["display_name", "id"]),
            models.Index(fields=["owner", "display_name", "id"]),
            models.Index(fields=["primary_email"]),
        ]

    def __str__(self) -> str:
        return self.display_name


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("email"))
    label = models.CharField(
        _("type"), max_length=10, choices=EmailLabel.choices, default=EmailLabel.WORK
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.email


class ContactPhone(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=50)
    e164 = models.CharField(max_length=20, blank=True)
    label = models.CharField(
        _("type"), max_length=10, choices=PhoneLabel.choices, default=PhoneLabel.WORK
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        indexes = [models.Index(fields=["e164"])]

    def __str__(self) -> str:
        return self.number


class AccountMembership(models.Model):
    """A contact's place at an account, with their buying role there."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("account"),
    )
    buying_role = models.CharField(
        _("buying role"), max_length=20, choices=BuyingRole.choices, default=BuyingRole.OTHER
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("account membership")
        verbose_name_plural = _("account memberships")
        constraints = [
            models.UniqueConstraint(fields=["contact", "account"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}@{self.account_id}"
