"""Data-quality checks of leads."""

from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from rapport.framework.quality import QualityCheck, shared_values
from rapport.leads.models import Lead


def _duplicate_email(qs: QuerySet[Any]) -> QuerySet[Any]:
    shared = shared_values(Lead.objects.all(), "email")
    return qs.annotate(_email=Lower("email")).filter(_email__in=shared)


LEAD_CHECKS = (
    QualityCheck("missing_email", _("Missing email"), lambda qs: qs.filter(email="")),
    QualityCheck("missing_phone", _("Missing phone"), lambda qs: qs.filter(phone="")),
    QualityCheck(
        "invalid_phone",
        _("Phone number that cannot be dialled"),
        lambda qs: qs.exclude(phone="").filter(phone_e164=""),
    ),
    QualityCheck("duplicate_email", _("Email shared with another lead"), _duplicate_email),
)
