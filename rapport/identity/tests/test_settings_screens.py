"""The administrator's settings screens: users, teams, roles, sharing defaults, and the
generated configuration screens they link to."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition
from rapport.core.selectors import record_changes
from rapport.currencies.models import Currency, ExchangeRate
from rapport.framework.actor import Actor
from rapport.framework.choices import ChangeAction, Channel
from rapport.framework.testing.factories import ContactFactory, currency
from rapport.framework.ui.nav import navigation
from rapport.identity.choices import OrgAccess, TeamAccess
from rapport.identity.models import Role, SharingDefault, Team, User
from rapport.identity.settings_services import role_update
from rapport.identity.settings_views import owned_record_types

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


def user_state() -> list[tuple[Any, ...]]:
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "username", "email", "is_active", "is_staff", "role_id", "password"
        )
    )


def team_state() -> list[tuple[Any, ...]]:
    return [
        (t.pk, t.name, t.lead_id, sorted(t.members.values_list("pk", flat=True)))
        for t in Team.objects.order_by("pk")
    ]


def role_state() -> list[tuple[Any, ...]]:
    return list(Role.objects.order_by("pk").values_list("pk", "name", "parent_id"))


def sharing_state() -> list[tuple[Any, ...]]:
    return list(
        SharingDefault.objects.order_by("pk").values_list(
            "record_type", "org_access", "team_access"
        )
    )


NEW_USER = {
    "username": "grace",
    "email": "grace@example.com",
    "first_name": "Grace",
    "last_name": "Hopper",
    "language": "zh-hans",
    "password": "correct-horse-battery-9",
    "password_again": "correct-horse-battery-9",
}


# --- who may open the screens ----------------------------------------------------------------

SCREENS = [
    "/settings/",
    "/settings/users/",
    "/settings/users/new/",
    "/settings/teams/",
    "/settings/teams/new/",
    "/settings/roles/",
    "/settings/roles/new/",
    "/settings/sharing/",
    "/settings/pipelines/",
    "/settings/pipelines/new/",
]


@pytest.mark.parametrize("url", SCREENS)
def test_every_settings_screen_renders_for_an_administrator(personas: Personas, url: str) -> None:
    response = signed_in("admin").get(url)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("url", SCREENS)
def test_a_user_who_is_not_staff_is_refused(personas: Personas, url: str) -> None:
    response = signed_in("manager").get(url)
    assert response.status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(personas: Personas) -> None:
    response = Client().get("/settings/users/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/users/"


def test_a_staff_user_who_is_not_a_superuser_may_manage_users(personas: Personas) -> None:
    # given a staff member without superuser rights
    User.objects.filter(pk=personas.manager.pk).update(is_staff=True)
    client = signed_in("manager")
    # when they create a user
    response = client.post("/settings/users/new/", NEW_USER)
    # then the user exists
    assert response.status_code == 302
    assert User.objects.filter(username="grace").exists()


def test_non_staff_writes_are_refused_and_change_nothing(personas: Personas) -> None:
    # given
    client = signed_in("owner")
    users, teams, roles, sharing = user_state(), team_state(), role_state(), sharing_state()
    logged = ChangeLogEntry.objects.count()
    rep = Role.objects.get(name="Sales rep")
    # when a user who is not staff posts to every write screen
    responses = [
        client.post("/settings/users/new/", NEW_USER),
        client.post(f"/settings/users/{personas.other.pk}/", {**NEW_USER, "is_staff": "on"}),
        client.post(f"/settings/users/{personas.other.pk}/deactivate/"),
        client.post("/settings/teams/new/", {"name": "North"}),
        client.post(f"/settings/teams/{personas.team.pk}/", {"name": "Renamed"}),
        client.post(f"/settings/teams/{personas.other_team.pk}/delete/"),
        client.post("/settings/roles/new/", {"name": "CEO"}),
        client.post(f"/settings/roles/{rep.pk}/", {"name": "Renamed"}),
        client.post(f"/settings/roles/{rep.pk}/delete/"),
        client.post("/settings/sharing/", {"contacts-org_access": "read_write"}),
    ]
    # then each is refused and nothing changed
    assert [r.status_code for r in responses] == [403] * len(responses)
    assert user_state() == users
    assert team_state() == teams
    assert role_state() == roles
    assert sharing_state() == sharing
    assert ChangeLogEntry.objects.count() == logged


def test_the_settings_entry_is_in_the_navigation_of_staff_only(personas: Personas) -> None:
    def settings_urls(user: User) -> list[str]:
        return [
            entry.url
            for area, _label, entries in navigation(user)
            if area == "settings"
            for entry in entries
        ]

    assert "/settings/" in settings_urls(personas.admin)
    assert settings_urls(personas.owner) == []


def test_the_index_links_every_settings_screen(personas: Personas) -> None:
    body = signed_in("admin").get("/settings/").content.decode()
    for url in [
        "/settings/users/",
        "/settings/teams/",
        "/settings/roles/",
        "/settings/sharing/",
        "/settings/pipelines/",
        "/custom-fields/",
        "/currencies/",
        "/exchange-rates/",
    ]:
        assert f'href="{url}"' in body


# --- users -----------------------------------------------------------------------------------


def test_an_administrator_creates_a_user_who_can_sign_in(personas: Personas) -> None:
    # given
    client = signed_in("admin")
    # when
    response = client.post(
        "/settings/users/new/",
        {
            **NEW_USER,
            "role": Role.objects.get(name="Sales rep").pk,
            "teams": [personas.team.pk, personas.other_team.pk],
        },
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/settings/users/"
    user = User.objects.get(username="grace")
    assert (user.email, user.get_full_name(), user.language) == (
        "grace@example.com",
        "Grace Hopper",
        "zh-hans",
    )
    assert user.role is not None and user.role.name == "Sales rep"
    assert sorted(user.teams.values_list("name", flat=True)) == ["East", "West"]
    assert not user.is_staff
    entry = record_changes(user).get()
    assert (entry.action, entry.user, entry.channel) == (
        ChangeAction.CREATE,
        personas.admin,
        Channel.UI,
    )
    assert "password" not in entry.after
    assert (
        Client()
        .post("/login/", {"username": "grace", "password": "correct-horse-battery-9"})
        .status_code
        == 302
    )


def test_a_new_user_can_be_emailed_a_link_to_choose_a_password(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    client = signed_in("admin")
    fields = {k: v for k, v in NEW_USER.items() if not k.startswith("password")}
    # when the administrator creates the user without a password
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/users/new/", {**fields, "send_invite": "on"})
    # then the user has no usable password and got a one-time link
    assert response.status_code == 302
    user = User.objects.get(username="grace")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.com"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    # The token embeds the second it was made: read it from the mail, then check it is valid.
    found = re.search(rf"http://testserver/password-reset/{uid}/([\w-]+)/", message.body)
    assert found is not None, message.body  # the user's language only changes the wording
    assert default_token_generator.check_token(user, found.group(1))
    link = found.group(0)
    # and following it lets them choose a password and sign in
    invited = Client()
    form_page = invited.get(link, follow=True)
    assert form_page.status_code == 200
    chosen = invited.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "my-own-secret-77", "new_password2": "my-own-secret-77"},
    )
    assert chosen.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("my-own-secret-77")


def test_a_new_user_needs_a_password_or_an_emailed_link(personas: Personas) -> None:
    client = signed_in("admin")
    before = user_state()
    fields = {k: v for k, v in NEW_USER.items() if not k.startswith("password")}
    response = client.post("/settings/users/new/", fields)
    assert response.status_code == 400
    assert "Enter a password, or choose to email a link to choose one." in (
        response.content.decode()
    )
    assert user_state() == before
    assert len(mail.outbox) == 0


def test_a_weak_password_is_refused_beside_the_field(personas: Personas) -> None:
    # given
    client = signed_in("admin")
    before = user_state()
    # when
    response = client.post(
        "/settings/users/new/", {**NEW_USER, "password": "123", "password_again": "123"}
    )
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_password-err"' in body
    assert "This password is too short. It must contain at least 8 characters." in body
    assert user_state() == before


def test_a_taken_username_and_differing_passwords_are_refused(personas: Personas) -> None:
    client = signed_in("admin")
    before = user_state()
    response = client.post(
        "/settings/users/new/",
        {**NEW_USER, "username": "owner", "password_again": "something-else-42"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The two passwords differ." in body
    assert user_state() == before
    response = client.post("/settings/users/new/", {**NEW_USER, "username": "owner"})
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()
    assert user_state() == before


def test_the_user_list_searches_and_filters_by_status(personas: Personas) -> None:
    # given one deactivated user
    User.objects.filter(pk=personas.other.pk).update(is_active=False)
    client = signed_in("admin")
    # when / then
    active = client.get("/settings/users/").content.decode()
    assert ">owner</a>" in active and ">other</a>" not in active
    inactive = client.get("/settings/users/", {"status": "inactive"}).content.decode()
    assert ">other</a>" in inactive and ">owner</a>" not in inactive
    searched = client.get("/settings/users/", {"q": "mate@", "status": "all"}).content.decode()
    assert ">teammate</a>" in searched and ">owner</a>" not in searched


def test_an_administrator_edits_a_user(personas: Personas) -> None:
    # given
    client = signed_in("admin")
    head = Role.objects.get(name="Head of sales")
    # when
    response = client.post(
        f"/settings/users/{personas.owner.pk}/",
        {
            "username": "owner",
            "email": "new@example.com",
            "first_name": "Olive",
            "last_name": "Owner",
            "role": head.pk,
            "teams": [personas.other_team.pk],
            "language": "en",
            "is_staff": "on",
        },
    )
    # then
    assert response.status_code == 302
    user = User.objects.get(pk=personas.owner.pk)
    assert (user.email, user.role_id, user.is_staff) == ("new@example.com", head.pk, True)
    assert list(user.teams.values_list("name", flat=True)) == ["West"]
    assert user.check_password("pw")  # an empty password field keeps the password
    entry = record_changes(user).get()
    assert entry.before == {
        "email": "owner@example.com",
        "first_name": "",
        "last_name": "",
        "role": Role.objects.get(name="Sales rep").pk,
        "is_staff": False,
        "teams": [personas.team.pk],
    }


def test_an_administrator_changing_their_own_password_stays_signed_in(personas: Personas) -> None:
    client = signed_in("admin")
    response = client.post(
        f"/settings/users/{personas.admin.pk}/",
        {
            "username": "admin",
            "email": "admin@example.com",
            "language": "en",
            "is_staff": "on",
            "password": "a-new-long-secret-31",
            "password_again": "a-new-long-secret-31",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=personas.admin.pk).check_password("a-new-long-secret-31")
    assert client.get("/settings/").status_code == 200
    entry = record_changes(personas.admin).get()
    assert (entry.before, entry.after) == ({"password": ""}, {"password": "changed"})


def test_deactivating_a_user_keeps_their_records_and_stops_their_sign_in(
    personas: Personas,
) -> None:
    # given a user who owns a contact
    contact = ContactFactory(owner=personas.owner)
    client = signed_in("admin")
    # when the administrator deactivates them
    response = client.post(f"/settings/users/{personas.owner.pk}/deactivate/")
    # then they cannot sign in, and the contact is still theirs
    assert response.status_code == 302
    assert not User.objects.get(pk=personas.owner.pk).is_active
    assert Contact.objects.get(pk=contact.pk).owner_id == personas.owner.pk
    assert Client().post("/login/", {"username": "owner", "password": "pw"}).status_code == 200
    assert record_changes(personas.owner).get().after == {"is_active": False}
    # and reactivating lets them in again
    client.post(f"/settings/users/{personas.owner.pk}/reactivate/")
    assert Client().post("/login/", {"username": "owner", "password": "pw"}).status_code == 302


def test_an_administrator_cannot_deactivate_themselves(personas: Personas) -> None:
    User.objects.filter(pk=personas.manager.pk).update(is_staff=True)
    client = signed_in("manager")
    response = client.post(f"/settings/users/{personas.manager.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    assert User.objects.get(pk=personas.manager.pk).is_active


def test_a_staff_user_cannot_change_a_superuser(personas: Personas) -> None:
    # given a staff member who is not a superuser
    User.objects.filter(pk=personas.manager.pk).update(is_staff=True)
    client = signed_in("manager")
    before = user_state()
    # when they try to deactivate the superuser
    response = client.post(f"/settings/users/{personas.admin.pk}/deactivate/", follow=True)
    # then they are told why and nothing changed
    assert "Only a superuser may change a superuser&#x27;s account." in response.content.decode()
    assert user_state() == before


# --- teams -----------------------------------------------------------------------------------


def test_an_administrator_creates_a_team_and_edits_its_members(personas: Personas) -> None:
    # given
    client = signed_in("admin")
    # when
    created = client.post(
        "/settings/teams/new/",
        {"name": "North", "lead": personas.manager.pk, "members": [personas.owner.pk]},
    )
    team = Team.objects.get(name="North")
    edited = client.post(
        f"/settings/teams/{team.pk}/",
        {"name": "North", "members": [personas.other.pk, personas.teammate.pk]},
    )
    # then
    assert (created.status_code, edited.status_code) == (302, 302)
    team.refresh_from_db()
    assert team.lead_id is None
    assert sorted(team.members.values_list("username", flat=True)) == ["other", "teammate"]
    assert [e.action for e in record_changes(team).order_by("id")] == [
        ChangeAction.CREATE,
        ChangeAction.UPDATE,
    ]


def test_a_deactivated_member_stays_in_the_team_when_it_is_renamed(personas: Personas) -> None:
    # given a deactivated member of East
    User.objects.filter(pk=personas.teammate.pk).update(is_active=False)
    client = signed_in("admin")
    form = client.get(f"/settings/teams/{personas.team.pk}/").content.decode()
    assert f'<option value="{personas.teammate.pk}" selected>' in form
    # when the form is saved as shown with a new name
    client.post(
        f"/settings/teams/{personas.team.pk}/",
        {"name": "East coast", "members": [personas.owner.pk, personas.teammate.pk]},
    )
    # then both members stay
    team = Team.objects.get(pk=personas.team.pk)
    assert team.name == "East coast"
    assert sorted(team.members.values_list("username", flat=True)) == ["owner", "teammate"]


def test_a_role_cannot_report_to_a_role_two_levels_below_it(personas: Personas) -> None:
    # given Head of sales > Sales rep > Trainee
    rep = Role.objects.get(name="Sales rep")
    trainee = Role.objects.create(name="Trainee", parent=rep)
    head = Role.objects.get(name="Head of sales")
    before = role_state()
    # when
    with pytest.raises(ValidationError) as refused:
        role_update(actor=Actor(user=personas.admin), role=head, name=head.name, parent=trainee)
    # then
    assert refused.value.error_dict["parent"][0].code == "role_cycle"
    assert role_state() == before


def test_a_duplicate_team_name_is_refused_beside_the_field(personas: Personas) -> None:
    client = signed_in("admin")
    before = team_state()
    response = client.post("/settings/teams/new/", {"name": "East"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_name-err"' in body
    assert "Team with this Name already exists." in body
    assert team_state() == before


def test_a_team_that_records_refer_to_is_not_deleted(personas: Personas) -> None:
    # given a contact in team East
    ContactFactory(owner=personas.owner, team=personas.team)
    client = signed_in("admin")
    before = team_state()
    # when the administrator tries to delete the team
    response = client.post(f"/settings/teams/{personas.team.pk}/delete/", follow=True)
    # then they are told why and the team stays
    assert (
        "The team East cannot be deleted: records still refer to it (1 contact). "
        "Move them to another team first." in response.content.decode()
    )
    assert team_state() == before


def test_a_team_no_record_refers_to_is_deleted(personas: Personas) -> None:
    client = signed_in("admin")
    response = client.post(f"/settings/teams/{personas.other_team.pk}/delete/")
    assert response.status_code == 302
    assert list(Team.objects.values_list("name", flat=True)) == ["East"]
    assert User.objects.filter(pk=personas.other.pk).exists()
    entry = ChangeLogEntry.objects.get(action=ChangeAction.DELETE)
    assert (entry.object_repr, entry.object_id) == ("West", str(personas.other_team.pk))


# --- roles -----------------------------------------------------------------------------------


def test_the_roles_show_as_a_tree(personas: Personas) -> None:
    body = signed_in("admin").get("/settings/roles/").content.decode()
    head = Role.objects.get(name="Head of sales")
    rep = Role.objects.get(name="Sales rep")
    # the rep role's list item is nested inside the head role's
    head_at = body.index(f'href="/settings/roles/{head.pk}/"')
    rep_at = body.index(f'href="/settings/roles/{rep.pk}/"')
    assert head_at < rep_at
    assert body[head_at:rep_at].count("<ul>") == 1


def test_a_role_created_under_another_reports_to_it(personas: Personas) -> None:
    client = signed_in("admin")
    head = Role.objects.get(name="Head of sales")
    response = client.post("/settings/roles/new/", {"name": "Team lead", "parent": head.pk})
    assert response.status_code == 302
    assert Role.objects.get(name="Team lead").parent_id == head.pk


def test_a_role_cannot_report_to_a_role_below_it(personas: Personas) -> None:
    # given Head of sales > Sales rep
    client = signed_in("admin")
    head = Role.objects.get(name="Head of sales")
    rep = Role.objects.get(name="Sales rep")
    before = role_state()
    # when the head is made to report to the rep
    response = client.post(f"/settings/roles/{head.pk}/", {"name": head.name, "parent": rep.pk})
    # then the cycle is refused beside the field and nothing changed
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_parent-err"' in body
    assert (
        "Head of sales cannot report to Sales rep: Sales rep already reports to Head of "
        "sales, which would make a cycle." in body
    )
    assert role_state() == before


def test_a_role_in_use_is_not_deleted_and_an_unused_one_is(personas: Personas) -> None:
    client = signed_in("admin")
    rep = Role.objects.get(name="Sales rep")
    response = client.post(f"/settings/roles/{rep.pk}/delete/", follow=True)
    assert "The role Sales rep cannot be deleted" in response.content.decode()
    assert Role.objects.filter(pk=rep.pk).exists()
    spare = Role.objects.create(name="Spare")
    assert client.post(f"/settings/roles/{spare.pk}/delete/").status_code == 302
    assert not Role.objects.filter(pk=spare.pk).exists()


# --- sharing defaults ------------------------------------------------------------------------


def sharing_form_as_shown() -> dict[str, str]:
    """What the sharing form submits when nothing is changed: every row at the built-in default."""
    data: dict[str, str] = {}
    for key, _label in owned_record_types():
        data[f"{key}-org_access"] = OrgAccess.PRIVATE
        data[f"{key}-team_access"] = TeamAccess.READ
    return data


def test_the_sharing_screen_lists_every_record_type_with_owners(personas: Personas) -> None:
    body = signed_in("admin").get("/settings/sharing/").content.decode()
    keys = [key for key, _label in owned_record_types()]
    assert "contacts" in keys and "accounts" in keys and "opportunities" in keys
    assert "currencies" not in keys and "pipelines" not in keys
    for key in keys:
        assert f'<label for="id_{key}-org_access" class="visually-hidden">' in body
        assert f'<label for="id_{key}-team_access" class="visually-hidden">' in body


def test_saving_unchanged_sharing_defaults_writes_nothing(personas: Personas) -> None:
    response = signed_in("admin").post("/settings/sharing/", sharing_form_as_shown())
    assert response.status_code == 302
    assert sharing_state() == []
    assert ChangeLogEntry.objects.count() == 0


def test_a_sharing_default_takes_effect_at_once(personas: Personas) -> None:
    # given a contact of owner that other (outside owner's team and roles) cannot see
    contact = ContactFactory(owner=personas.owner, family_name="Sharedname")
    other = signed_in("other")
    assert "Sharedname" not in other.get("/contacts/").content.decode()
    # when the administrator makes contacts readable by everyone
    response = signed_in("admin").post(
        "/settings/sharing/",
        {**sharing_form_as_shown(), "contacts-org_access": "read"},
    )
    # then other sees the contact in the list, but may not change it
    assert response.status_code == 302
    assert sharing_state() == [("contacts", OrgAccess.READ, TeamAccess.READ)]
    assert "Sharedname" in other.get("/contacts/").content.decode()
    assert other.get(f"/contacts/{contact.pk}/edit/").status_code == 403
    entry = ChangeLogEntry.objects.get(action=ChangeAction.CREATE)
    assert entry.after == {"org_access": "read", "team_access": "read"}


def test_an_unknown_access_level_is_refused(personas: Personas) -> None:
    response = signed_in("admin").post(
        "/settings/sharing/",
        {**sharing_form_as_shown(), "contacts-org_access": "everything"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_contacts-org_access-err"' in body
    assert "Select a valid choice. everything is not one of the available choices." in body
    assert sharing_state() == []


# --- generated configuration screens ---------------------------------------------------------


def test_an_administrator_creates_a_currency_and_an_exchange_rate(personas: Personas) -> None:
    client = signed_in("admin")
    created = client.post(
        "/currencies/new/", {"code": "XTS", "name": "Test currency", "decimals": "2"}
    )
    assert created.status_code == 302
    assert Currency.objects.get(code="XTS").name == "Test currency"
    response = client.post(
        "/exchange-rates/new/", {"currency": "XTS", "date": "2026-11-26", "rate": "1.25"}
    )
    assert response.status_code == 302
    rate = ExchangeRate.objects.get(currency_id="XTS")
    assert (rate.date, rate.rate) == (dt.date(2026, 11, 26), Decimal("1.25"))


def test_a_negative_exchange_rate_is_refused(personas: Personas) -> None:
    currency("EUR")
    response = signed_in("admin").post(
        "/exchange-rates/new/", {"currency": "EUR", "date": "2026-11-26", "rate": "-1"}
    )
    assert response.status_code == 400
    assert ExchangeRate.objects.count() == 0


def test_a_negative_exchange_rate_is_explained_beside_the_field(personas: Personas) -> None:
    currency("EUR")
    response = signed_in("admin").post(
        "/exchange-rates/new/", {"currency": "EUR", "date": "2026-11-26", "rate": "-1"}
    )
    assert 'id="f-rate-err"' in response.content.decode()


def test_a_choice_custom_field_without_choices_is_refused(personas: Personas) -> None:
    response = signed_in("admin").post(
        "/custom-fields/new/",
        {"record_type": "contacts", "name": "tier", "label": "Tier", "field_type": "choice"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="f-choices-err"' in body
    assert "Give a list of choices." in body
    assert CustomFieldDefinition.objects.count() == 0


def test_a_custom_field_created_in_the_generated_form_appears_on_the_record_form(
    personas: Personas,
) -> None:
    client = signed_in("admin")
    response = client.post(
        "/custom-fields/new/",
        {"record_type": "contacts", "name": "birthday", "label": "Birthday", "field_type": "date"},
    )
    assert response.status_code == 302
    assert CustomFieldDefinition.objects.get().label == "Birthday"
    assert 'name="cf.birthday"' in client.get("/contacts/new/").content.decode()


def test_an_administrator_creates_a_choice_custom_field(personas: Personas) -> None:
    client = signed_in("admin")
    response = client.post(
        "/custom-fields/new/",
        {
            "record_type": "contacts",
            "name": "tier",
            "label": "Tier",
            "field_type": "choice",
            "choices": '["Gold", "Silver"]',
        },
    )
    assert response.status_code == 302
    assert CustomFieldDefinition.objects.get(name="tier").choices == ["Gold", "Silver"]


def test_a_non_administrator_cannot_create_configuration(personas: Personas) -> None:
    response = signed_in("owner").post(
        "/currencies/new/", {"code": "XTS", "name": "Test currency", "decimals": "2"}
    )
    assert response.status_code == 400
    assert not Currency.objects.filter(code="XTS").exists()
