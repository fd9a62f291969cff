"""Web forms (web-to-lead) and what was submitted through them.

A ``WebForm`` is configuration written by administrators: which lead fields it asks for, with
their labels in each language, the consent checkboxes with their exact wording, what happens
after sending, where it may be embedded and to whom the leads it brings in are assigned.
A ``WebFormSubmission`` keeps every submission that was not refused outright (accepted ones and
suspected spam alike), with its origin (address, referrer, UTM parameters) and its payload.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.framework.base_models import ConfigModel
from rapport.webforms.choices import LeadOutcome, SubmissionStatus


def validate_http_url(value: str) -> None:
    """Only web addresses: a ``javascript:`` or ``data:`` redirect would run in the visitor's
    browser."""
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError(
            _("Use an address starting with http:// or https://."), code="invalid_scheme"
        )


class WebForm(ConfigModel):
    """A form that brings in leads; served at ``/f/<slug>/`` and embeddable in other sites.

    ``fields``: ``[{"name": "<lead field>" | "cf.<custom field>", "required": bool,
    "label": {"en": ..., "zh-hans": ...}}]``.
    ``consents``: ``[{"purpose": "<ConsentPurpose>", "required": bool,
    "wording": {"en": ..., "zh-hans": ...}}]``.
    ``thank_you``: ``{"en": ..., "zh-hans": ...}``, shown unless ``redirect_url`` is set.
    ``allowed_origins``: ``["https://www.example.com", ...]``, the sites that may frame it.
    """

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    fields = models.JSONField(_("fields"), default=list)
    consents = models.JSONField(_("consent checkboxes"), default=list, blank=True)
    thank_you = models.JSONField(_("thank-you text"), default=dict, blank=True)
    redirect_url = models.URLField(
        _("redirect after sending"),
        max_length=500,
        blank=True,
        validators=[validate_http_url],
        help_text=_("An http:// or https:// address; when set, it replaces the thank-you text."),
    )
    active = models.BooleanField(_("active"), default=True)
    allowed_origins = models.JSONField(_("sites allowed to embed it"), default=list, blank=True)
    lead_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner of new leads"),
    )
    lead_team = models.ForeignKey(
        "identity.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team of new leads"),
    )

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebFormSubmission(models.Model):
    """One submission of a web form that was kept: accepted, suspected spam or rejected.

    Submissions refused outright (over the rate limit, over the size limit, invalid input that
    the sender was asked to correct) are not stored: see ``rapport.webforms.services``.

    ``ip`` is stored as received (not truncated or hashed): staff need it to judge spam and
    floods. It is personal data, like the payload: ``webform_submissions_erase`` removes a
    lead's submissions when the person is erased.
    """

    # A form with submissions cannot be deleted (deactivate it instead): spam and rejected
    # submissions would be lost with it.
    form = models.ForeignKey(
        WebForm, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("form")
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    referrer = models.CharField(_("referrer"), max_length=1000, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=200, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=200, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=200, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=200, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=200, blank=True)
    # The language the form was shown in: consents are stored with the wording in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    payload = models.JSONField(_("submitted data"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=SubmissionStatus.choices)
    spam_reasons = models.JSONField(_("spam reasons"), default=list, blank=True)
    problems = models.JSONField(_("problems writing the lead"), default=dict, blank=True)
    lead = models.ForeignKey(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead"),
    )
    lead_outcome = models.CharField(
        _("lead outcome"), max_length=20, choices=LeadOutcome.choices, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked as not spam by"),
    )

    class Meta:
        verbose_name = _("web form submission")
        verbose_name_plural = _("web form submissions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["form", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.form_id}#{self.pk} {self.status}"
