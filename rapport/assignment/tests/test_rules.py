"""Assignment rules: validation, the three methods, and the rules on every way into Rapport."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from conftest import client_for
from rapport.assignment.choices import AssignmentMethod
from rapport.assignment.models import AssignmentRule, RoundRobinPointer
from rapport.assignment.tests.factories import rule_make
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.testing.factories import LeadFactory
from rapport.identity.models import Team, User
from rapport.imports.services import import_create, import_execute
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.privacy.models import Consent
from rapport.webforms.models import WebFormSubmission
from rapport.webforms.services import form_token
from rapport.webforms.tests.factories import webform
from rapport.workspace.choices import NotificationKind
from rapport.workspace.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbound(personas: Any) -> Team:
    """A team of three: owner, teammate and other."""
    team = Team.objects.create(name="Inbound", lead=personas.manager)
    team.members.add(personas.owner, personas.teammate, personas.other)
    return team


def _create(actor_user: User, **data: Any) -> Lead:
    lead: Any = record_create(
        actor=Actor(user=actor_user),
        record_type=get_record_type("leads"),
        data={"family_name": "Prospect", **data},
    )
    return lead  # type: ignore[no-any-return]


def _problem_fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"method": "round_robin"}, "team", "required"),
        ({"method": "least_loaded"}, "team", "required"),
        ({"method": "user"}, "user", "required"),
        (
            {"method": "user", "user": 0, "employee_count_min": 500, "employee_count_max": 50},
            "employee_count_max",
            "min_above_max",
        ),
        ({"method": "user", "user": 0, "countries": ["Atlantis"]}, "countries", "invalid_choice"),
        ({"method": "user", "user": 0, "industries": ["wizardry"]}, "industries", "invalid_choice"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_naming_the_field(
    personas: Any, payload: dict[str, Any], field: str, code: str
) -> None:
    # given an administrator writing a rule with one mistake
    if payload.get("user") == 0:
        payload = {**payload, "user": personas.owner.pk}
    # when they send it
    response = client_for(personas.admin).post(
        "/api/assignment-rules/", {"name": "Broken", **payload}, format="json"
    )
    # then it is refused, naming the field, and nothing is written
    assert response.status_code == 400
    assert _problem_fields(response) == {field: code}
    assert AssignmentRule.objects.count() == 0


def test_countries_are_stored_as_codes(personas: Any) -> None:
    # when a rule names countries by name and code
    response = client_for(personas.admin).post(
        "/api/assignment-rules/",
        {
            "name": "DACH",
            "method": "user",
            "user": personas.owner.pk,
            "countries": ["Germany", "at"],
        },
        format="json",
    )
    # then they are stored as ISO codes
    assert response.status_code == 201, response.content
    assert AssignmentRule.objects.get().countries == ["DE", "AT"]


def test_only_administrators_write_rules(personas: Any) -> None:
    # when a sales rep tries to add a rule
    response = client_for(personas.owner).post(
        "/api/assignment-rules/",
        {"name": "Mine", "method": "user", "user": personas.owner.pk},
        format="json",
    )
    # then it is refused and nothing is written
    assert response.status_code in (403, 404)
    assert AssignmentRule.objects.count() == 0


# --- methods ----------------------------------------------------------------------------------


def test_round_robin_is_fair_across_three_members(personas: Any, inbound: Team) -> None:
    # given a round-robin rule over a team of three
    rule = rule_make(team=inbound)
    # when nine leads arrive without an owner
    owners = [_create(personas.admin).owner_id for _ in range(9)]
    # then each member gets three, in turn by id
    members = sorted([personas.owner.pk, personas.teammate.pk, personas.other.pk])
    assert owners == members * 3
    assert RoundRobinPointer.objects.get(rule=rule).last_user_id == members[-1]
    assert set(Lead.objects.values_list("team_id", flat=True)) == {inbound.pk}


def test_round_robin_skips_inactive_members(personas: Any, inbound: Team) -> None:
    # given a round-robin rule and a member who left
    rule_make(team=inbound)
    User.objects.filter(pk=personas.teammate.pk).update(is_active=False)
    # when four leads arrive
    owners = [_create(personas.admin).owner_id for _ in range(4)]
    # then only the active members get them
    active = sorted([personas.owner.pk, personas.other.pk])
    assert owners == active * 2


def test_territory_rules_match_in_position_order(personas: Any, inbound: Team) -> None:
    # given three rules: German enterprises, Germany, manufacturing anywhere
    rule_make(
        name="DE big",
        position=1,
        method=AssignmentMethod.USER,
        user=personas.owner,
        countries=["DE"],
        employee_count_min=1000,
    )
    rule_make(
        name="DE",
        position=2,
        method=AssignmentMethod.USER,
        user=personas.teammate,
        countries=["DE"],
        regions=["Bavaria"],
    )
    rule_make(
        name="Manufacturing",
        position=3,
        method=AssignmentMethod.USER,
        user=personas.other,
        industries=["manufacturing"],
        sources=["web"],
    )
    # when leads from different places arrive
    big = _create(personas.admin, country="DE", employee_count=5000, region="Bavaria")
    small = _create(personas.admin, country="DE", employee_count=20, region=" bavaria ")
    factory = _create(personas.admin, country="FR", industry="manufacturing", source="web")
    unknown_size = _create(
        personas.admin, country="DE", region="Hesse", industry="manufacturing", source="web"
    )
    nothing = _create(personas.admin, country="FR", industry="retail")
    # then the first matching rule decides; without a match the creator keeps it
    assert big.owner == personas.owner
    assert small.owner == personas.teammate
    assert factory.owner == personas.other
    assert unknown_size.owner == personas.other
    assert nothing.owner == personas.admin


def test_an_inactive_rule_is_passed_over(personas: Any) -> None:
    # given an inactive rule for everyone
    rule_make(method=AssignmentMethod.USER, user=personas.owner, active=False)
    # when a lead arrives
    lead = _create(personas.admin)
    # then the creator keeps it
    assert lead.owner == personas.admin


def test_least_loaded_member_gets_the_lead(personas: Any, inbound: Team) -> None:
    # given open leads: owner 3, teammate 1, other 2 (and closed ones that do not count)
    for user, n in ((personas.owner, 3), (personas.teammate, 1), (personas.other, 2)):
        LeadFactory.create_batch(n, owner=user)
    LeadFactory.create_batch(4, owner=personas.teammate, status=LeadStatus.QUALIFIED)
    LeadFactory.create_batch(
        2, owner=personas.teammate, status=LeadStatus.DISQUALIFIED, disqualified_reason="spam"
    )
    rule_make(method=AssignmentMethod.LEAST_LOADED, team=inbound)
    # when three leads arrive
    owners = [_create(personas.admin).owner for _ in range(3)]
    # then each goes to whoever has the fewest open leads at that moment (ties: lowest id)
    assert owners == [personas.teammate, personas.teammate, personas.other]


def test_a_team_without_active_members_passes_to_the_next_rule(personas: Any) -> None:
    # given a rule over an empty team, then a rule for one user
    empty = Team.objects.create(name="Nobody")
    rule_make(position=1, team=empty)
    rule_make(position=2, method=AssignmentMethod.USER, user=personas.teammate)
    # when a lead arrives
    lead = _create(personas.admin)
    # then the second rule decides
    assert lead.owner == personas.teammate


def test_an_explicit_owner_is_respected(personas: Any, inbound: Team) -> None:
    # given a rule for everyone with a one-hour first response
    rule = rule_make(team=inbound, sla_minutes=60)
    # when a lead is created naming its owner
    with freeze_time("2026-11-26 09:00:00"):
        lead = _create(personas.admin, owner=personas.manager)
    # then the owner stays, the round-robin turn is not taken, the response time still applies
    assert lead.owner == personas.manager
    assert not RoundRobinPointer.objects.filter(rule=rule).exists()
    assert lead.response_due_at == dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def test_rules_only_apply_to_new_leads(personas: Any, inbound: Team) -> None:
    # given a lead and then a rule
    lead = _create(personas.owner)
    rule_make(method=AssignmentMethod.USER, user=personas.other)
    # when the lead is changed
    client_for(personas.owner).patch(f"/api/leads/{lead.pk}/", {"city": "Leeds"}, format="json")
    # then its owner stays
    lead.refresh_from_db()
    assert (lead.owner, lead.city) == (personas.owner, "Leeds")


# --- every way in -----------------------------------------------------------------------------


def test_api_create_without_owner_follows_the_rules_and_notifies(
    personas: Any, inbound: Team, django_capture_on_commit_callbacks: Any
) -> None:
    # given a rule giving every lead to teammate within 30 minutes
    rule_make(method=AssignmentMethod.USER, user=personas.teammate, team=inbound, sla_minutes=30)
    # when owner posts a lead without naming an owner
    with freeze_time("2026-11-26 09:00:00"), django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.owner).post(
            "/api/leads/", {"family_name": "Hopper", "country": "US"}, format="json"
        )
    # then teammate owns it, in the rule's team, due in 30 minutes, and is notified
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner"], body["team"]) == (personas.teammate.pk, inbound.pk)
    assert body["response_due_at"] == "2026-11-26T09:30:00Z"
    assert body["responded_at"] is None
    notification = Notification.objects.get()
    assert (notification.user, notification.kind, notification.actor, notification.text) == (
        personas.teammate,
        NotificationKind.ASSIGNED,
        personas.owner,
        "Hopper",
    )


def test_api_create_naming_an_owner_keeps_it(personas: Any, inbound: Team) -> None:
    # given a rule giving every lead to teammate
    rule_make(method=AssignmentMethod.USER, user=personas.teammate)
    # when owner posts a lead naming themselves
    response = client_for(personas.owner).post(
        "/api/leads/", {"family_name": "Hopper", "owner": personas.owner.pk}, format="json"
    )
    # then they own it
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == personas.owner.pk


def test_ui_form_leaves_the_owner_empty_and_the_rules_choose(personas: Any, inbound: Team) -> None:
    client = Client()
    client.force_login(personas.owner)
    url = reverse("ui:create", kwargs={"key": "leads"})
    prefilled = f'name="owner" value="{personas.owner.pk}"'
    assert prefilled in client.get(url).content.decode()  # no rules: the creator, as before
    # given a rule giving every lead to other
    rule_make(method=AssignmentMethod.USER, user=personas.other, team=inbound)
    # when owner opens the new-lead form
    page = client.get(url).content.decode()
    # then the owner is not pre-filled with them
    assert prefilled not in page
    assert 'name="owner" value=""' in page
    # and when they send it with the owner left empty
    response = client.post(url, {"family_name": "Lamarr", "status": "new", "owner": ""})
    # then the rule chose the owner
    assert response.status_code == 302
    lead = Lead.objects.get(family_name="Lamarr")
    assert (lead.owner, lead.team) == (personas.other, inbound)


def test_ui_form_with_an_owner_chosen_keeps_it(personas: Any, inbound: Team) -> None:
    rule_make(method=AssignmentMethod.USER, user=personas.other)
    client = Client()
    client.force_login(personas.owner)
    response = client.post(
        reverse("ui:create", kwargs={"key": "leads"}),
        {"family_name": "Lamarr", "status": "new", "owner": str(personas.owner.pk)},
    )
    assert response.status_code == 302
    assert Lead.objects.get(family_name="Lamarr").owner == personas.owner


def test_import_follows_the_rules(
    personas: Any, inbound: Team, settings: Any, tmp_path: Path
) -> None:
    # given a round-robin rule over three people
    settings.MEDIA_ROOT = tmp_path
    rule_make(team=inbound)
    content = b"Family name,Email\nAlpha,a@example.com\nBeta,b@example.com\nGamma,c@example.com\n"
    # when owner imports three leads through the import service
    job = import_create(
        user=personas.owner,
        record_type=get_record_type("leads"),
        upload=SimpleUploadedFile("leads.csv", content),
        name="leads.csv",
    )
    job = import_execute(job=job)
    # then each member got one
    assert job.created_count == 3
    owners = list(Lead.objects.order_by("family_name").values_list("owner_id", flat=True))
    assert owners == sorted([personas.owner.pk, personas.teammate.pk, personas.other.pk])


def test_web_form_lead_follows_the_rules(
    personas: Any, inbound: Team, settings: Any, tmp_path: Path
) -> None:
    # given a form whose leads go to owner, and a rule for British leads to teammate
    settings.RAPPORT_RATE_COUNTERS = "sqlite"
    settings.RAPPORT_COUNTERS_PATH = str(tmp_path / "counters.sqlite3")
    form = webform(lead_owner=personas.owner, lead_team=personas.team)
    rule_make(
        method=AssignmentMethod.USER,
        user=personas.teammate,
        team=inbound,
        countries=["GB"],
        sla_minutes=60,
    )
    values = {
        "wf_token": form_token(form, rendered_at=time.time() - 10),
        "website_url": "",
        "family_name": "Lovelace",
        "email": "ada@example.com",
        "country": "United Kingdom",
        "consent_marketing_email": "on",
    }
    # when a British visitor and a French one send it, agreeing to marketing email
    assert Client().post(f"/f/{form.slug}/", values).status_code == 200
    values.update(
        family_name="Curie",
        email="marie@example.com",
        country="France",
        wf_token=form_token(form, rendered_at=time.time() - 10),
    )
    assert Client().post(f"/f/{form.slug}/", values).status_code == 200
    # then the British lead follows the rule; the other goes to the form's owner and team
    british = Lead.objects.get(family_name="Lovelace")
    french = Lead.objects.get(family_name="Curie")
    assert (british.owner, british.team) == (personas.teammate, inbound)
    assert british.response_due_at is not None
    assert british.response_due_at - british.created_at == dt.timedelta(minutes=60)
    assert (french.owner, french.team, french.response_due_at) == (
        personas.owner,
        personas.team,
        None,
    )
    # and both consents were recorded
    assert sorted(Consent.objects.values_list("lead__family_name", "purpose", "granted")) == [
        ("Curie", "marketing_email", True),
        ("Lovelace", "marketing_email", True),
    ]
    assert WebFormSubmission.objects.filter(status="accepted").count() == 2


def test_the_time_the_rule_gives_is_counted_from_creation(personas: Any) -> None:
    rule_make(method=AssignmentMethod.USER, user=personas.owner, sla_minutes=90)
    lead = _create(personas.admin)
    assert lead.response_due_at is not None
    assert abs(lead.response_due_at - timezone.now()) < dt.timedelta(minutes=91)
    assert lead.response_due_at - lead.created_at == dt.timedelta(minutes=90)


def test_administrators_write_rules_on_the_settings_screen(personas: Any, inbound: Team) -> None:
    client = Client()
    client.force_login(personas.admin)
    url = reverse("ui:create", kwargs={"key": "assignment-rules"})
    # the form offers the rule's fields
    page = client.get(url).content.decode()
    for name in ("countries", "employee_count_min", "method", "team", "sla_minutes"):
        assert f'name="{name}"' in page
    # a rule without its team is refused beside the field, nothing written
    refused = client.post(url, {"name": "UK", "method": "round_robin", "countries": "GB"})
    assert refused.status_code == 400
    assert "Choose the team whose members receive the leads." in refused.content.decode()
    assert AssignmentRule.objects.count() == 0
    # countries typed one per line are stored as a list of codes
    response = client.post(
        url,
        {
            "name": "UK and Ireland",
            "method": "round_robin",
            "team": str(inbound.pk),
            "countries": "GB\nIreland",
            "position": "1",
            "active": "on",
            "sla_minutes": "45",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AssignmentRule.objects.get()
    assert (rule.countries, rule.team, rule.sla_minutes) == (["GB", "IE"], inbound, 45)


def test_ui_creator_who_cannot_see_the_assigned_lead_returns_to_the_list(
    personas: Any,
) -> None:
    # given a rule giving every lead to other, in team West (which owner cannot see)
    rule_make(method=AssignmentMethod.USER, user=personas.other, team=personas.other_team)
    client = Client()
    client.force_login(personas.owner)
    # when owner creates a lead through the form
    response = client.post(
        reverse("ui:create", kwargs={"key": "leads"}), {"family_name": "Noether", "status": "new"}
    )
    # then it is created for other and owner is sent to the list, not to a missing page
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:list", kwargs={"key": "leads"})
    assert Lead.objects.get(family_name="Noether").owner == personas.other
