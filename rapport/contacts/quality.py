"""Data-quality checks of contacts."""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from rapport.contacts.models import ContactEmail, ContactPhone
from rapport.framework.quality import QualityCheck, shared_values


def _missing_email(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(primary_email="")


def _missing_phone(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.exclude(Exists(ContactPhone.objects.filter(contact=OuterRef("pk"))))


def _invalid_phone(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(Exists(ContactPhone.objects.filter(contact=OuterRef("pk"), e164="")))


def _duplicate_email(qs: QuerySet[Any]) -> QuerySet[Any]:
    shared = shared_values(ContactEmail.objects.all(), "email", owner="contact")
    return qs.filter(
        Exists(
            ContactEmail.objects.annotate(_value=Lower("email")).filter(
                contact=OuterRef("pk"), _value__in=shared
            )
        )
    )


CONTACT_CHECKS = (
    QualityCheck("missing_email", _("Missing email"), _missing_email),
    QualityCheck("missing_phone", _("Missing phone"), _missing_phone),
    QualityCheck("invalid_phone", _("Phone number that cannot be dialled"), _invalid_phone),
    QualityCheck("duplicate_email", _("Email shared with another contact"), _duplicate_email),
)
