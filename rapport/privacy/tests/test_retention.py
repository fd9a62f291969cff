"""Retention rules: persons without updates or activity past the period are erased or deleted."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from freezegun import freeze_time

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry
from rapport.core.schedule import schedule
from rapport.framework.actor import Actor
from rapport.framework.testing.factories import ActivityFactory
from rapport.leads.models import Lead
from rapport.privacy.choices import PrivacyActionKind, RetentionAction
from rapport.privacy.models import PrivacyAction, RetentionRule
from rapport.privacy.services import retention_apply
from rapport.privacy.tasks import privacy_retention_apply
from rapport.privacy.tests.helpers import contact_via_api, lead_via_api

pytestmark = pytest.mark.django_db


def _setup(personas: Personas) -> tuple[Contact, Contact, Contact, Lead]:
    with freeze_time("2025-01-01"):
        stale = contact_via_api(personas)
        busy = contact_via_api(personas, given_name="Charles", family_name="Babbage")
        lead = lead_via_api(personas)
    with freeze_time("2025-06-01"):
        fresh = contact_via_api(personas, given_name="Mary", family_name="Somerville")
        ActivityFactory(
            owner=personas.owner,
            related_type=ContentType.objects.get_for_model(Contact),
            related_id=busy.pk,
        )
    RetentionRule.objects.create(person_type="contacts", period_days=365, action="erase")
    RetentionRule.objects.create(person_type="leads", period_days=365, action="delete")
    return stale, busy, fresh, lead


def test_job_is_registered_daily() -> None:
    job = next(j for j in schedule if j.name == "privacy.retention_apply")
    assert (job.task, job.cron, job.every) == (privacy_retention_apply, "37 2 * * *", None)


def test_dry_run_lists_and_changes_nothing(personas: Personas) -> None:
    stale, _busy, _fresh, lead = _setup(personas)
    changelog = ChangeLogEntry.objects.count()
    out = StringIO()
    with freeze_time("2026-02-01"):
        call_command("privacy_retention", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        f"contacts {stale.pk}: erase",
        f"leads {lead.pk}: delete",
        "2 record(s) would change",
    ]
    assert Contact.objects.get(pk=stale.pk).display_name == "Ada Lovelace"
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert ChangeLogEntry.objects.count() == changelog
    assert PrivacyAction.objects.count() == 0


def test_apply_erases_and_deletes_past_the_period(personas: Personas) -> None:
    stale, busy, fresh, lead = _setup(personas)
    # before the period ends nothing is due
    with freeze_time("2025-12-31"):
        assert retention_apply(actor=Actor.system()).items == []
    # when the job runs after the period
    with freeze_time("2026-02-01"):
        done = privacy_retention_apply.call()
    # then the stale contact is erased, the lead deleted; the others stay
    assert done == 2
    assert Contact.objects.get(pk=stale.pk).display_name == f"Erased person #{stale.pk}"
    assert Contact.objects.get(pk=busy.pk).display_name == "Charles Babbage"
    assert Contact.objects.get(pk=fresh.pk).display_name == "Mary Somerville"
    assert not Lead.objects.filter(pk=lead.pk).exists()
    lead_log = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead), object_id=str(lead.pk)
    ).order_by("id")
    assert [e.action for e in lead_log] == ["create", "update", "delete"]
    assert "Grace" not in str(list(lead_log.values("before", "after", "object_repr")))
    assert sorted(PrivacyAction.objects.values_list("action", "person_type", "person_id")) == [
        (PrivacyActionKind.DELETE, "leads", lead.pk),
        (PrivacyActionKind.ERASE, "contacts", stale.pk),
        (PrivacyActionKind.ERASE, "leads", lead.pk),
    ]
    # and a second run does nothing (the erased contact is not erased again)
    with freeze_time("2026-02-02"):
        assert retention_apply(actor=Actor.system()).items == []


def test_disabled_rule_does_nothing(personas: Personas) -> None:
    _setup(personas)
    RetentionRule.objects.update(enabled=False, action=RetentionAction.DELETE)
    with freeze_time("2026-02-01"):
        assert retention_apply(actor=Actor.system()).items == []
    assert Contact.objects.count() == 3
