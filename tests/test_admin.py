"""The admin writes through the framework services: change log, domain rules, permissions."""

import pytest
from django.test import Client

from rapport.core.models import ChangeLogEntry
from rapport.framework.testing.factories import AccountFactory, StageFactory, currency
from rapport.opportunities.models import Opportunity, Pipeline


@pytest.fixture
def admin_client(personas) -> Client:
    client = Client()
    client.force_login(personas.admin)
    return client


def test_pipeline_created_in_admin_is_in_the_change_log(admin_client, personas):
    response = admin_client.post(
        "/admin/opportunities/pipeline/add/", {"name": "Enterprise", "position": 1}
    )

    assert response.status_code == 302
    pipeline = Pipeline.objects.get(name="Enterprise")
    entry = ChangeLogEntry.objects.get(object_id=pipeline.pk, content_type__model="pipeline")
    assert (entry.action, entry.channel, entry.user_id) == ("create", "admin", personas.admin.pk)


def test_domain_rule_error_is_shown_beside_the_field_and_nothing_is_written(admin_client, personas):
    account = AccountFactory(owner=personas.admin)
    stage = StageFactory()
    other_pipeline = Pipeline.objects.create(name="Other")
    before = ChangeLogEntry.objects.count()

    response = admin_client.post(
        "/admin/opportunities/opportunity/add/",
        {
            "name": "Deal",
            "account": account.pk,
            "pipeline": other_pipeline.pk,
            "stage": stage.pk,
            "currency": currency().pk,
            "owner": personas.admin.pk,
            "custom_fields": "{}",
        },
    )

    assert response.status_code == 200
    assert "is not part of the opportunity" in response.content.decode()
    assert Opportunity.objects.count() == 0
    assert ChangeLogEntry.objects.count() == before


def test_admin_delete_goes_through_the_service(admin_client, personas):
    account = AccountFactory(owner=personas.admin)

    response = admin_client.post(f"/admin/accounts/account/{account.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert ChangeLogEntry.objects.filter(object_id=account.pk, action="delete").count() == 1
