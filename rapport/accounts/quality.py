"""Data-quality checks of accounts."""

from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Account
from rapport.framework.quality import QualityCheck, shared_values


def _duplicate_domain(qs: QuerySet[Any]) -> QuerySet[Any]:
    shared = shared_values(Account.objects.all(), "domain")
    return qs.annotate(_domain=Lower("domain")).filter(_domain__in=shared)


ACCOUNT_CHECKS = (
    QualityCheck("missing_website", _("Missing website"), lambda qs: qs.filter(domain="")),
    QualityCheck(
        "invalid_phone",
        _("Phone number that cannot be dialled"),
        lambda qs: qs.exclude(phone="").filter(phone_e164=""),
    ),
    QualityCheck("missing_country", _("Missing country"), lambda qs: qs.filter(billing_country="")),
    QualityCheck("duplicate_domain", _("Website shared with another account"), _duplicate_domain),
)
