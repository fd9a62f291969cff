"""The generated list screen: columns, ordering, filters, saved views, bulk actions, export,
cells edited in place, and its query budget."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Personas
from rapport.accounts.models import Account
from rapport.core.choices import SavedViewVisibility
from rapport.core.models import SavedView
from rapport.core.selectors import record_changes, saved_views_for
from rapport.core.services import saved_view_create, saved_view_delete, saved_view_update
from rapport.exports.models import Export
from rapport.framework.actor import Actor
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import record_types
from rapport.framework.testing.factories import (
    AccountFactory,
    CustomFieldFactory,
    OpportunityFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(user_name: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user_name, "password": "pw"}).status_code == 302
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def headers(body: str) -> list[str]:
    """The column headers of the list table (after the selection column)."""
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', body, re.S)
    return [_text(c).rstrip(" ▲▼") for c in cells[1:]]


def row_names(body: str, key: str = "accounts") -> list[str]:
    return [_text(n) for n in re.findall(rf'<a href="/{key}/\d+/">(.*?)</a>', body)]


def operators(html: str) -> str:
    """The operator select of a filter row."""
    found = re.search(r'name="fb_op".*?</select>', html, re.S)
    assert found is not None
    return found.group(0)


def partial(client: Client, url: str) -> str:
    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")
    assert response.status_code == 200
    return response.content.decode()


# Columns and ordering ---------------------------------------------------------------------


def test_columns_are_chosen_and_ordered_custom_fields_too(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="tier", label="Tier")
    AccountFactory(owner=personas.owner, name="Acme", custom_fields={"tier": "Gold"})
    client = signed_in("owner")
    # when
    body = client.get("/accounts/?columns=cf.tier,name").content.decode()
    # then
    assert headers(body) == ["Tier", "Name"]
    assert 'data-label="Tier"' in body and "Gold" in body
    chooser = re.findall(r'<li data-column="([^"]+)">', body)
    assert chooser[:2] == ["cf.tier", "name"]
    assert set(chooser) >= {"industry", "billing_country", "owner"}


def test_unknown_columns_are_ignored_and_defaults_used(personas: Personas) -> None:
    body = signed_in("owner").get("/accounts/?columns=nope").content.decode()
    assert headers(body) == ["Name", "Industry", "Billing country", "Lifecycle stage", "Owner"]


def test_ordering_by_a_header(personas: Personas) -> None:
    # given
    for name in ("Beta", "Alpha", "Gamma"):
        AccountFactory(owner=personas.owner, name=name)
    client = signed_in("owner")
    # when
    ascending = partial(client, "/accounts/?ordering=name")
    descending = partial(client, "/accounts/?ordering=-name")
    # then
    assert row_names(ascending) == ["Alpha", "Beta", "Gamma"]
    assert row_names(descending) == ["Gamma", "Beta", "Alpha"]
    assert 'aria-sort="descending"' in descending
    assert 'id="list-ordering" value="-name"' in descending  # the filter form keeps it


# Filters ------------------------------------------------------------------------------------


def test_filters_are_the_api_query_parameters(personas: Personas) -> None:
    # given
    AccountFactory(owner=personas.owner, name="Berlin", billing_country="DE")
    AccountFactory(owner=personas.owner, name="Boston", billing_country="US")
    AccountFactory(owner=personas.owner, name="Paris", billing_country="FR")
    client = signed_in("owner")
    # when
    one = partial(client, "/accounts/?billing_country=DE")
    several = partial(client, "/accounts/?billing_country__in=DE&billing_country__in=FR")
    text = partial(client, "/accounts/?name__istartswith=bo")
    # then
    assert row_names(one) == ["Berlin"]
    assert sorted(row_names(several)) == ["Berlin", "Paris"]
    assert row_names(text) == ["Boston"]


def test_filter_rows_are_redrawn_from_the_query_string(personas: Personas) -> None:
    body = signed_in("owner").get("/accounts/?billing_country__in=DE&billing_country__in=FR")
    html = body.content.decode()
    assert html.count('class="filter-row"') == 1
    assert '<option value="billing_country__in" selected>is one of</option>' in html
    assert '<option value="DE" selected>' in html and '<option value="FR" selected>' in html


def test_filter_builder_row_offers_the_filtersets_operators(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="score", label="Score", field_type="integer")
    client = signed_in("owner")
    # when
    created = client.get("/accounts/filters/row/?fb_field=created_at&fb_op=created_at__gte")
    custom = client.get("/accounts/filters/row/?fb_field=cf_score")
    # then
    html = created.content.decode()
    ops = re.findall(r'<option value="([^"]*)"', operators(html))
    assert ops == [
        "created_at",
        "created_at__gt",
        "created_at__gte",
        "created_at__lt",
        "created_at__lte",
        "created_at__in",
        "created_at__isnull",
    ]
    assert 'type="date" name="created_at__gte"' in html
    custom_ops = re.findall(r'<option value="([^"]*)"', operators(custom.content.decode()))
    assert custom_ops[0] == "cf_score" and "cf_score__gte" in custom_ops


def test_a_bad_filter_value_is_named_not_a_server_error(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="score", label="Score", field_type="integer")
    AccountFactory(owner=personas.owner, name="Acme")
    client = signed_in("owner")
    # when
    bad_date = client.get("/accounts/?created_at__gte=notadate")
    bad_number = partial(client, "/accounts/?cf_score__gte=lots")
    bad_cursor = client.get("/accounts/?cursor=zzz")
    bad_sort = partial(client, "/accounts/?ordering=secret")
    # then
    assert bad_date.status_code == 200
    assert (
        "<strong>Created at is on or after</strong> <code>created_at__gte</code>: "
        "Enter a valid date/time." in bad_date.content.decode()
    )
    assert "<strong>Score is at least</strong> <code>cf_score__gte</code>: Enter a number." in (
        bad_number
    )
    assert row_names(bad_number) == []
    assert bad_cursor.status_code == 200
    assert "Invalid cursor" in bad_cursor.content.decode()
    assert "<strong>Sort order</strong> <code>ordering</code>: Cannot sort by: secret." in bad_sort


def test_my_records_and_tag_quick_filters(personas: Personas) -> None:
    # given: the manager sees the owner's records too (role hierarchy)
    vip = TagFactory(name="vip")
    mine = AccountFactory(owner=personas.manager, name="Managers")
    AccountFactory(owner=personas.owner, name="Reports")
    tagged = AccountFactory(owner=personas.owner, name="Tagged")
    tagged.tags.add(vip)
    mine.tags.add(vip)
    client = signed_in("manager")
    # when
    everything = partial(client, "/accounts/?ordering=name")
    my_records = partial(client, "/accounts/?owner=me&ordering=name")
    vip_only = partial(client, "/accounts/?tag=vip&ordering=name")
    # then
    assert row_names(everything) == ["Managers", "Reports", "Tagged"]
    assert row_names(my_records) == ["Managers"]
    assert row_names(vip_only) == ["Managers", "Tagged"]


# Saved views -------------------------------------------------------------------------------


def _save_view(client: Client, **fields: str) -> Any:
    return client.post("/accounts/views/", fields)


def test_a_saved_view_reopens_its_filters_and_columns(personas: Personas) -> None:
    # given
    AccountFactory(owner=personas.owner, name="Berlin", billing_country="DE")
    AccountFactory(owner=personas.owner, name="Boston", billing_country="US")
    client = signed_in("owner")
    # when
    saved = _save_view(
        client,
        name="Germany",
        query="billing_country=DE&columns=name,billing_country&cursor=abc&view=9",
        visibility="private",
    )
    view = SavedView.objects.get()
    opened = client.get(f"/accounts/views/{view.pk}/")
    page = client.get(opened["Location"]).content.decode()
    # then
    assert saved.status_code == 302
    assert view.query == "billing_country=DE&columns=name%2Cbilling_country"
    assert (view.owner, view.record_type, view.visibility) == (
        personas.owner,
        "accounts",
        "private",
    )
    assert opened["Location"] == f"/accounts/?{view.query}&view={view.pk}"
    assert row_names(page) == ["Berlin"]
    assert headers(page) == ["Name", "Billing country"]
    assert "<summary>Germany</summary>" in page


def test_someone_elses_private_view_is_never_visible_or_applicable(personas: Personas) -> None:
    # given
    view = saved_view_create(
        actor=Actor(user=personas.owner),
        record_type="accounts",
        name="Secret pipeline",
        query="billing_country=DE",
    )
    teammate = signed_in("teammate")
    # when
    listing = teammate.get("/accounts/").content.decode()
    opened = teammate.get(f"/accounts/views/{view.pk}/")
    deleted = teammate.post(f"/accounts/views/{view.pk}/delete/")
    updated = teammate.post(f"/accounts/views/{view.pk}/", {"name": "Mine", "query": ""})
    # then
    assert "Secret pipeline" not in listing
    assert opened.status_code == 404
    assert deleted.status_code == 404
    assert updated.status_code == 404
    assert list(saved_views_for(personas.teammate, "accounts")) == []
    view.refresh_from_db()
    assert (view.name, view.query) == ("Secret pipeline", "billing_country=DE")


def test_a_team_view_is_shared_with_the_team_only(personas: Personas) -> None:
    # given
    client = signed_in("owner")
    _save_view(
        client,
        name="East deals",
        query="industry=software",
        visibility="team",
        team=str(personas.team.pk),
    )
    view = SavedView.objects.get()
    # when
    teammate = signed_in("teammate")
    other = signed_in("other")
    # then
    assert view.visibility == SavedViewVisibility.TEAM and view.team == personas.team
    assert "East deals" in teammate.get("/accounts/").content.decode()
    assert teammate.get(f"/accounts/views/{view.pk}/")["Location"] == (
        f"/accounts/?industry=software&view={view.pk}"
    )
    assert "East deals" not in other.get("/accounts/").content.decode()
    assert other.get(f"/accounts/views/{view.pk}/").status_code == 404
    # a teammate may use it but not delete it
    teammate.post(f"/accounts/views/{view.pk}/delete/")
    assert SavedView.objects.filter(pk=view.pk).exists()
    # its owner may
    client.post(f"/accounts/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_view_cannot_be_shared_with_a_team_one_is_not_in(personas: Personas) -> None:
    client = signed_in("owner")
    response = _save_view(
        client,
        name="West",
        query="industry=software",
        visibility="team",
        team=str(personas.other_team.pk),
    )
    assert response.status_code == 302
    assert SavedView.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Team: You can share only with a team you belong to." in page


def test_a_default_view_opens_the_list(personas: Personas) -> None:
    view = saved_view_create(
        actor=Actor(user=personas.owner),
        record_type="accounts",
        name="Mine",
        query="owner=me",
        is_default=True,
    )
    client = signed_in("owner")
    assert client.get("/accounts/")["Location"] == f"/accounts/views/{view.pk}/"
    assert client.get("/accounts/?view=none").status_code == 200
    # the filter form emptied (an htmx request without parameters) is not sent to the view
    assert partial(client, "/accounts/").count("No records match.") == 1
    assert signed_in("teammate").get("/accounts/").status_code == 200


def test_only_the_owner_changes_a_view_and_one_default_per_list(personas: Personas) -> None:
    # given
    owner = Actor(user=personas.owner)
    first = saved_view_create(
        actor=owner, record_type="accounts", name="First", query="a=1", is_default=True
    )
    shared = saved_view_create(
        actor=owner,
        record_type="accounts",
        name="Shared",
        query="cursor=x&industry=retail",
        visibility=SavedViewVisibility.TEAM,
        team=personas.team,
    )
    # when
    second = saved_view_create(
        actor=owner, record_type="accounts", name="Second", query="", is_default=True
    )
    with pytest.raises(RecordPermissionDenied):
        saved_view_update(actor=Actor(user=personas.teammate), view=shared, name="Taken")
    with pytest.raises(RecordPermissionDenied):
        saved_view_delete(actor=Actor(user=personas.teammate), view=shared)
    with pytest.raises(ValidationError) as duplicate:
        saved_view_create(actor=owner, record_type="accounts", name="First", query="")
    # then
    first.refresh_from_db()
    shared.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert (shared.name, shared.query) == ("Shared", "industry=retail")
    assert duplicate.value.message_dict == {"name": ["You already have a view of this name."]}
    assert [v.name for v in saved_views_for(personas.teammate, "accounts")] == ["Shared"]
    assert [v.name for v in saved_views_for(personas.other, "accounts")] == []
    assert SavedView.objects.count() == 3


# Bulk actions ------------------------------------------------------------------------------


def _bulk(client: Client, action: str, ids: list[Any], **fields: str) -> Any:
    data: dict[str, Any] = {"action": action, "ids": [str(i) for i in ids], "query": "", **fields}
    return client.post("/accounts/bulk/", data)


def test_bulk_edit_asks_for_confirmation_then_changes_every_record(personas: Personas) -> None:
    # given
    first = AccountFactory(owner=personas.owner, industry="software")
    second = AccountFactory(owner=personas.owner, industry="software")
    client = signed_in("owner")
    # when
    confirm = _bulk(client, "edit", [first.pk, second.pk])
    done = _bulk(
        client, "edit", [first.pk, second.pk], field="industry", value="retail", confirm="1"
    )
    # then
    assert confirm.status_code == 200
    assert "Change a field of 2 records" in confirm.content.decode()
    assert done.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.industry, second.industry) == ("retail", "retail")
    assert record_changes(first).first().channel == Channel.UI  # type: ignore[union-attr]


def test_bulk_edit_with_a_record_the_user_may_not_change_changes_nothing(
    personas: Personas,
) -> None:
    # given: the teammate sees the owner's team record but may not change it
    own = AccountFactory(owner=personas.teammate, name="Own", industry="software")
    theirs = AccountFactory(
        owner=personas.owner, team=personas.team, name="Theirs", industry="software"
    )
    hidden = AccountFactory(owner=personas.other, name="Hidden", industry="software")
    client = signed_in("teammate")
    # when
    response = _bulk(
        client,
        "edit",
        [own.pk, theirs.pk, hidden.pk],
        field="industry",
        value="retail",
        confirm="1",
    )
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed." in body
    assert "<li>Theirs</li>" in body and f"<li>#{hidden.pk}</li>" in body
    assert "Hidden" not in body
    assert sorted(Account.objects.values_list("industry", flat=True)) == ["software"] * 3


def test_bulk_edit_with_an_invalid_value_changes_nothing(personas: Personas) -> None:
    first = AccountFactory(owner=personas.owner, name="First", employee_count=5)
    second = AccountFactory(owner=personas.owner, name="Second", employee_count=6)
    client = signed_in("owner")
    response = _bulk(
        client, "edit", [first.pk, second.pk], field="employee_count", value="many", confirm="1"
    )
    assert response.status_code == 400
    assert "First: employee_count: A valid integer is required." in response.content.decode()
    assert sorted(Account.objects.values_list("employee_count", flat=True)) == [5, 6]


def test_bulk_assign_owner(personas: Personas) -> None:
    first = AccountFactory(owner=personas.owner)
    second = AccountFactory(owner=personas.owner)
    client = signed_in("owner")
    response = _bulk(
        client, "assign", [first.pk, second.pk], owner=str(personas.teammate.pk), confirm="1"
    )
    assert response.status_code == 302
    assert set(Account.objects.values_list("owner", flat=True)) == {personas.teammate.pk}


def test_bulk_delete_all_or_nothing(personas: Personas) -> None:
    # given
    own = AccountFactory(owner=personas.teammate)
    theirs = AccountFactory(owner=personas.owner, team=personas.team)
    teammate = signed_in("teammate")
    # when the teammate tries to delete a record they may not delete
    denied = _bulk(teammate, "delete", [own.pk, theirs.pk], confirm="1")
    # then nothing is deleted
    assert denied.status_code == 400
    assert Account.objects.count() == 2
    # when the owner deletes their own
    ok = _bulk(teammate, "delete", [own.pk], confirm="1")
    assert ok.status_code == 302
    assert list(Account.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_bulk_action_without_selection_goes_back(personas: Personas) -> None:
    response = _bulk(signed_in("owner"), "delete", [], confirm="1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


# Export ------------------------------------------------------------------------------------


def test_export_has_the_lists_filters_and_columns(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="tier", label="Tier")
    berlin = AccountFactory(
        owner=personas.owner, name="Berlin", billing_country="DE", custom_fields={"tier": "Gold"}
    )
    AccountFactory(owner=personas.owner, name="Boston", billing_country="US")
    AccountFactory(owner=personas.other, name="Hidden", billing_country="DE")
    client = signed_in("owner")
    # when
    response = client.get("/accounts/export/?billing_country=DE&columns=name,cf.tier&format=csv")
    # then
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    assert rows == [["ID", "Name", "Tier"], [str(berlin.pk), "Berlin", "Gold"]]


def test_export_of_the_selected_rows(personas: Personas) -> None:
    first = AccountFactory(owner=personas.owner)
    second = AccountFactory(owner=personas.owner)
    AccountFactory(owner=personas.owner)
    client = signed_in("owner")
    response = _bulk(client, "export_xlsx", [first.pk, second.pk], query="columns=name&cursor=x")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/export/?" + urlencode(
        {"columns": "name", "id__in": f"{first.pk},{second.pk}", "format": "xlsx"}
    )
    xlsx = client.get(response["Location"])
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_large_export_becomes_a_background_job(personas: Personas, settings: Any) -> None:
    settings.RAPPORT_EXPORT_SYNC_MAX = 1
    AccountFactory(owner=personas.owner)
    AccountFactory(owner=personas.owner)
    response = signed_in("owner").get("/accounts/export/?format=csv")
    job = Export.objects.get()
    assert response.status_code == 202
    assert (job.user, job.record_type) == (personas.owner, "accounts")
    assert f'href="/api/exports/{job.pk}/download/"' in response.content.decode()


# Cells edited in place ---------------------------------------------------------------------


def _patch(client: Client, url: str, value: str) -> Any:
    return client.patch(
        url,
        urlencode({"value": value}),
        content_type="application/x-www-form-urlencoded",
        HTTP_HX_REQUEST="true",
    )


def test_a_cell_is_edited_in_place(personas: Personas) -> None:
    # given
    account = AccountFactory(owner=personas.owner, name="Acme", employee_count=5)
    client = signed_in("owner")
    url = f"/accounts/{account.pk}/cell/employee_count/"
    # when
    listing = client.get("/accounts/?columns=name,employee_count").content.decode()
    form = client.get(url)
    saved = _patch(client, url, "1200")
    # then
    assert f'hx-get="{url}"' in listing
    assert form.status_code == 200
    assert 'name="value" value="5"' in form.content.decode()
    assert saved.status_code == 200
    assert ">1,200</button>" in saved.content.decode()
    account.refresh_from_db()
    assert account.employee_count == 1200
    assert record_changes(account).first().channel == Channel.UI  # type: ignore[union-attr]


def test_an_invalid_cell_value_is_shown_beside_the_input(personas: Personas) -> None:
    account = AccountFactory(owner=personas.owner, name="Acme", employee_count=5)
    client = signed_in("owner")
    response = _patch(client, f"/accounts/{account.pk}/cell/employee_count/", "lots")
    body = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in body
    assert 'role="alert">A valid integer is required.</small>' in body
    assert 'value="lots"' in body
    account.refresh_from_db()
    assert account.employee_count == 5


def test_a_custom_field_cell_is_edited_in_place(personas: Personas) -> None:
    CustomFieldFactory(record_type="accounts", name="tier", label="Tier")
    account = AccountFactory(owner=personas.owner, custom_fields={"tier": "Gold"})
    response = _patch(signed_in("owner"), f"/accounts/{account.pk}/cell/cf.tier/", "Silver")
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.custom_fields == {"tier": "Silver"}


def test_a_cell_the_user_may_not_change_is_not_changed(personas: Personas) -> None:
    # given
    theirs = AccountFactory(owner=personas.owner, team=personas.team, name="Theirs")
    hidden = AccountFactory(owner=personas.other, name="Hidden")
    teammate = signed_in("teammate")
    # when
    listing = teammate.get("/accounts/").content.decode()
    denied = _patch(teammate, f"/accounts/{theirs.pk}/cell/name/", "Mine now")
    missing = _patch(teammate, f"/accounts/{hidden.pk}/cell/name/", "Mine now")
    not_a_cell = _patch(teammate, f"/accounts/{theirs.pk}/cell/owner/", "1")
    # then
    assert "cell-edit" not in listing
    assert denied.status_code == 403
    assert missing.status_code == 404
    assert not_a_cell.status_code == 404
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Hidden", "Theirs"]


# Query budget ------------------------------------------------------------------------------


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/accounts/?columns=name,industry,owner,tags,cf.tier")
    assert response.status_code == 200
    return len(captured)


def test_a_list_page_costs_a_fixed_number_of_queries(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="tier", label="Tier")
    vip = TagFactory(name="vip")
    for _ in range(3):
        AccountFactory(owner=personas.owner).tags.add(vip)
    client = signed_in("owner")
    few = _list_queries(client)
    for _ in range(60):
        AccountFactory(owner=personas.owner).tags.add(vip)
    # when / then: a full page of 50 rows costs what a page of 3 did
    with django_assert_max_num_queries(few):
        body = client.get("/accounts/?columns=name,industry,owner,tags,cf.tier").content.decode()
    assert len(row_names(body)) == 50
    assert few <= 24


@pytest.mark.parametrize("key", [rt.key for rt in record_types()])
def test_every_list_renders_filters_and_exports_for_a_user(personas: Personas, key: str) -> None:
    # given: a signed-in user who is not an administrator
    client = signed_in("owner")
    # when
    listing = client.get(f"/{key}/?columns=id&ordering=-id")
    row = client.get(f"/{key}/filters/row/")
    exported = client.get(f"/{key}/export/?format=csv")
    # then
    assert listing.status_code == 200
    assert row.status_code == 200
    assert exported.status_code in (200, 400)


def test_a_choice_cell_is_cleared_and_set(personas: Personas) -> None:
    account = AccountFactory(owner=personas.owner, industry="software")
    client = signed_in("owner")
    url = f"/accounts/{account.pk}/cell/industry/"
    cleared = _patch(client, url, "")
    account.refresh_from_db()
    assert (cleared.status_code, account.industry) == (200, "")
    wrong = _patch(client, url, "spaceships")
    account.refresh_from_db()
    assert (wrong.status_code, account.industry) == (422, "")
    assert "&quot;spaceships&quot; is not a valid choice." in wrong.content.decode()


def test_bulk_delete_rolls_back_when_one_record_is_still_referred_to(personas: Personas) -> None:
    # given: the second account still has an opportunity (protected)
    free = AccountFactory(owner=personas.owner, name="Free")
    deal = OpportunityFactory(owner=personas.owner, account__name="Busy")
    # when
    response = _bulk(signed_in("owner"), "delete", [free.pk, deal.account.pk], confirm="1")
    # then
    assert response.status_code == 400
    assert "Busy: 1 other record still refers to this one." in response.content.decode()
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Busy", "Free"]


def test_bulk_edit_value_input_follows_the_chosen_field(personas: Personas) -> None:
    client = signed_in("owner")
    choice = client.get("/accounts/bulk/value/?field=industry").content.decode()
    number = client.get("/accounts/bulk/value/?field=employee_count").content.decode()
    assert '<select id="bulk-value-input" name="value">' in choice
    assert '<option value="software">' in choice
    assert 'inputmode="decimal"' in number
    assert client.get("/accounts/bulk/value/?field=owner").status_code == 404
