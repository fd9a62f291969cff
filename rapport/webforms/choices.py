"""Choices of the web-forms app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    SPAM = "spam", _("Spam")
    # Not spam, but the lead could not be written (e.g. a required custom field that the form
    # does not ask for): kept so that staff can finish it by hand.
    REJECTED = "rejected", _("Rejected")


class LeadOutcome(models.TextChoices):
    CREATED = "created", _("Lead created")
    UPDATED = "updated", _("Existing lead updated")
    UNCHANGED = "unchanged", _("Existing lead found, nothing to fill in")


class SpamReason(models.TextChoices):
    HONEYPOT = "honeypot", _("The hidden field was filled in")
    TOO_FAST = "too_fast", _("Sent faster than a person can fill in the form")
    BAD_TOKEN = "bad_token", _("The form's signed token is missing or forged")
    TOO_MANY_LINKS = "too_many_links", _("Too many links in the text")
