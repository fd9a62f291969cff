"""Export of any list to CSV or XLSX: content, permissions, filters, safety, background jobs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from conftest import client_for
from rapport.exports import columns
from rapport.exports.models import Export
from rapport.framework.testing.factories import (
    AccountFactory,
    CustomFieldFactory,
    PipelineFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

ACCOUNT_HEADER = [
    "ID",
    "Name",
    "Industry",
    "Billing country",
    "Lifecycle stage",
    "Owner",
    "Owner ID",
]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _csv_rows(response: Any) -> list[list[str]]:
    body = _body(response)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _sheet(content: bytes) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.active.iter_rows(values_only=True))


def _error_fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def _accounts(personas: Any) -> tuple[Any, Any, Any]:
    owner = personas.owner
    owner.first_name, owner.last_name = "Olga", "Owner"
    owner.save()
    first = AccountFactory(
        name="Acme", owner=owner, industry="software", billing_country="DE", employee_count=12
    )
    second = AccountFactory(
        name="北京科技有限公司", owner=owner, industry="manufacturing", billing_country="CN"
    )
    hidden = AccountFactory(name="Other's secret", owner=personas.other)
    return first, second, hidden


# --- content ------------------------------------------------------------------------------


def test_csv_export_has_the_list_columns_of_visible_records(personas: Any) -> None:
    # given two accounts of owner (one with a Chinese name) and a private one of other
    first, second, _hidden = _accounts(personas)
    # when
    response = client_for(personas.owner).get("/api/accounts/export/?format=csv&ordering=name")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="accounts-{day}.csv"'
    owner_id = str(personas.owner.pk)
    assert _csv_rows(response) == [
        ACCOUNT_HEADER,
        [str(first.pk), "Acme", "software", "DE", "prospect", "Olga Owner", owner_id],
        [
            str(second.pk),
            "北京科技有限公司",
            "manufacturing",
            "CN",
            "prospect",
            "Olga Owner",
            owner_id,
        ],
    ]


def test_xlsx_export_keeps_numbers_dates_and_booleans_typed(personas: Any) -> None:
    # given
    account = AccountFactory(
        name="Acme",
        owner=personas.owner,
        employee_count=12,
        annual_revenue=Decimal("1500.25"),
        created_at=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
    )
    # when
    response = client_for(personas.owner).get(
        "/api/accounts/export/?format=xlsx&columns=id,name,employee_count,annual_revenue,created_at"
    )
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="accounts-{day}.xlsx"'
    assert _sheet(_body(response)) == [
        ("ID", "Name", "Employees", "Annual revenue", "Created at"),
        (account.pk, "Acme", 12, 1500.25, dt.datetime(2024, 5, 6, 7, 8, 9)),
    ]


def test_boolean_and_date_cells(personas: Any) -> None:
    # given a pipeline (configuration: every user reads it) marked default
    PipelineFactory(name="Sales", is_default=True)
    client = client_for(personas.owner)
    # when
    csv_response = client.get("/api/pipelines/export/?columns=name,is_default&header=keys")
    xlsx_response = client.get("/api/pipelines/export/?format=xlsx&columns=name,is_default")
    # then
    assert ["Sales", "true"] in _csv_rows(csv_response)
    assert ("Sales", True) in _sheet(_body(xlsx_response))


def test_header_keys_and_related_ids(personas: Any) -> None:
    # given
    account = AccountFactory(name="Acme", owner=personas.owner)
    # when
    response = client_for(personas.owner).get(
        "/api/accounts/export/?columns=name,owner_id,team&header=keys"
    )
    # then
    assert _csv_rows(response) == [
        ["name", "owner_id", "team", "team_id"],
        [account.name, str(personas.owner.pk), "", ""],
    ]


def test_custom_fields_and_tags(personas: Any) -> None:
    # given a decimal and a multiple-choice custom field, and two tags
    CustomFieldFactory(record_type="accounts", name="budget", label="Budget", field_type="decimal")
    CustomFieldFactory(
        record_type="accounts",
        name="regions",
        label="Regions",
        field_type="multiple_choice",
        choices=["north", "south"],
    )
    account = AccountFactory(
        name="Acme",
        owner=personas.owner,
        custom_fields={"budget": "1200.50", "regions": ["north", "south"]},
    )
    account.tags.add(TagFactory(name="vip"), TagFactory(name="eu"))
    client = client_for(personas.owner)
    url = "/api/accounts/export/?columns=name,tags,cf_budget,cf_regions"
    # when
    csv_response = client.get(url)
    xlsx_response = client.get(url + "&format=xlsx")
    # then
    assert _csv_rows(csv_response) == [
        ["Name", "Tags", "Budget", "Regions"],
        ["Acme", "eu, vip", "1200.50", "north, south"],
    ]
    assert _sheet(_body(xlsx_response)) == [
        ("Name", "Tags", "Budget", "Regions"),
        ("Acme", "eu, vip", 1200.5, "north, south"),
    ]


def test_filters_search_and_ordering_apply(personas: Any) -> None:
    # given
    AccountFactory(name="Alpha", owner=personas.owner, industry="software")
    AccountFactory(name="Beta", owner=personas.owner, industry="software")
    client = client_for(personas.owner)
    # (through the API, which indexes it for search)
    client.post("/api/accounts/", {"name": "Gamma", "industry": "retail"}, format="json")
    # when
    filtered = client.get("/api/accounts/export/?columns=name&industry=software&ordering=-name")
    searched = client.get("/api/accounts/export/?columns=name&q=Gamma")
    # then
    assert _csv_rows(filtered) == [["Name"], ["Beta"], ["Alpha"]]
    assert _csv_rows(searched) == [["Name"], ["Gamma"]]


def test_a_user_who_sees_nothing_gets_the_header_only(personas: Any) -> None:
    # given accounts, none of them visible to other
    AccountFactory(name="Acme", owner=personas.owner)
    client = client_for(personas.other)
    # when
    csv_response = client.get("/api/accounts/export/")
    xlsx_response = client.get("/api/accounts/export/?format=xlsx")
    # then
    assert _csv_rows(csv_response) == [ACCOUNT_HEADER]
    assert _sheet(_body(xlsx_response)) == [tuple(ACCOUNT_HEADER)]


def test_related_names_show_only_for_visible_records(personas: Any) -> None:
    # given an account whose parent account is private to other
    parent = AccountFactory(name="Secret parent", owner=personas.other)
    child = AccountFactory(name="Child", owner=personas.owner, parent=parent)
    # when
    response = client_for(personas.owner).get("/api/accounts/export/?columns=name,parent")
    # then the parent's id shows (as in the list), not its name
    assert _csv_rows(response) == [
        ["Name", "Parent account", "Parent account ID"],
        ["Child", "", str(parent.pk)],
    ]
    assert child.parent_id == parent.pk


# --- spreadsheet safety -------------------------------------------------------------------

DANGEROUS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def test_formula_injection_is_neutralised_in_csv(personas: Any) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="delta", label="Delta", field_type="decimal")
    for i, text in enumerate(DANGEROUS):
        AccountFactory(
            name=f"{i}", description=text, owner=personas.owner, custom_fields={"delta": "-5"}
        )
    # when
    response = client_for(personas.owner).get(
        "/api/accounts/export/?columns=name,description,cf_delta&ordering=name"
    )
    # then text is prefixed with a quote, negative numbers stay numbers
    rows = _csv_rows(response)[1:]
    assert rows == [[str(i), "'" + text, "-5"] for i, text in enumerate(DANGEROUS)]


def test_formula_injection_is_neutralised_in_xlsx(personas: Any) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="delta", label="Delta", field_type="decimal")
    for i, text in enumerate(DANGEROUS):
        AccountFactory(
            name=f"{i}", description=text, owner=personas.owner, custom_fields={"delta": "-5"}
        )
    # when
    response = client_for(personas.owner).get(
        "/api/accounts/export/?format=xlsx&columns=name,description,cf_delta&ordering=name"
    )
    # then every text is a string cell (no formula), numbers are numbers
    sheet = load_workbook(io.BytesIO(_body(response))).active
    data = list(sheet.iter_rows(min_row=2))
    # (XML parsers read a carriage return as a line feed)
    expected = [(t.replace("\r", "\n"), "s") for t in DANGEROUS]
    assert [(row[1].value, row[1].data_type) for row in data] == expected
    assert {(row[2].value, row[2].data_type) for row in data} == {(-5, "n")}


def test_multi_line_and_quoted_cells_follow_rfc_4180(personas: Any) -> None:
    # given
    AccountFactory(name='Say "hi", then', description="line 1\nline 2", owner=personas.owner)
    # when
    response = client_for(personas.owner).get("/api/accounts/export/?columns=name,description")
    # then
    body = _body(response).decode("utf-8-sig")
    assert body == 'Name,Description\r\n"Say ""hi"", then","line 1\nline 2"\r\n'


# --- bad input ----------------------------------------------------------------------------


def test_unknown_format_is_rejected(personas: Any) -> None:
    response = client_for(personas.owner).get("/api/accounts/export/?format=pdf")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert _error_fields(response) == ["format"]


def test_unknown_column_is_rejected_by_name(personas: Any) -> None:
    response = client_for(personas.owner).get("/api/accounts/export/?columns=name,nope")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "columns"
    assert error["message"].startswith("Unknown column: nope (choose from ")


def test_unknown_header_style_is_rejected(personas: Any) -> None:
    response = client_for(personas.owner).get("/api/accounts/export/?header=fancy")
    assert response.status_code == 400
    assert _error_fields(response) == ["header"]


def test_a_filter_value_of_the_wrong_type_is_rejected(personas: Any) -> None:
    response = client_for(personas.owner).get("/api/accounts/export/?employee_count=many")
    assert response.status_code == 400
    assert _error_fields(response) == ["employee_count"]
    assert not Export.objects.exists()


def test_signed_out_users_may_not_export(api: APIClient) -> None:
    response = api.get("/api/accounts/export/")
    assert response.status_code == 401


# --- background jobs ----------------------------------------------------------------------


def test_async_export_end_to_end(personas: Any, django_capture_on_commit_callbacks: Any) -> None:
    # given
    _accounts(personas)
    owner = client_for(personas.owner)
    # when the export is forced to the background
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.get("/api/accounts/export/?format=xlsx&async=1&ordering=name")
    # then a job answers, and with the immediate backend it is already done
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/exports/{job_id}/")
    status = owner.get(f"/api/exports/{job_id}/")
    assert status.status_code == 200
    body = status.json()
    assert (body["status"], body["row_count"], body["format"]) == ("done", 2, "xlsx")
    assert body["download_url"] == f"http://testserver/api/exports/{job_id}/download/"
    export = Export.objects.get(pk=job_id)
    assert export.file.name.startswith("exports/")
    assert export.params["query"] == {"ordering": ["name"]}
    download = owner.get(f"/api/exports/{job_id}/download/")
    assert download.status_code == 200
    day = timezone.localdate().isoformat()
    assert download["Content-Disposition"] == f'attachment; filename="accounts-{day}.xlsx"'
    rows = _sheet(_body(download))
    assert rows[0] == tuple(ACCOUNT_HEADER)
    assert [r[1] for r in rows[1:]] == ["Acme", "北京科技有限公司"]
    # and nobody else sees the job or its file
    other = client_for(personas.other)
    assert other.get(f"/api/exports/{job_id}/").status_code == 404
    assert other.get(f"/api/exports/{job_id}/download/").status_code == 404
    assert client_for(personas.admin).get(f"/api/exports/{job_id}/download/").status_code == 404


def test_large_exports_go_to_the_background_with_the_same_filters(
    personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a sync limit of one row
    settings.RAPPORT_EXPORT_SYNC_MAX = 1
    _accounts(personas)
    AccountFactory(name="Zeta", owner=personas.owner, industry="software")
    owner = client_for(personas.owner)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.get(
            "/api/accounts/export/?columns=name&header=keys&industry=software&ordering=-name"
        )
    # then
    assert response.status_code == 202
    download = owner.get(f"/api/exports/{response.json()['id']}/download/")
    assert _csv_rows(download) == [["name"], ["Zeta"], ["Acme"]]


def test_a_job_not_done_has_no_file(personas: Any) -> None:
    # given a job the worker has not run yet
    export = Export.objects.create(user=personas.owner, record_type="accounts", format="csv")
    owner = client_for(personas.owner)
    # when
    status = owner.get(f"/api/exports/{export.pk}/")
    download = owner.get(f"/api/exports/{export.pk}/download/")
    # then
    assert (status.json()["status"], status.json()["download_url"]) == ("pending", None)
    assert download.status_code == 409


# --- memory and queries -------------------------------------------------------------------


def test_rows_are_read_in_chunks(personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given five tagged accounts and chunks of two rows
    monkeypatch.setattr(columns, "CHUNK_SIZE", 2)
    tag = TagFactory(name="vip")
    for i in range(5):
        AccountFactory(name=f"A{i}", owner=personas.owner).tags.add(tag)
    response = client_for(personas.owner).get("/api/accounts/export/?columns=name,tags,owner")
    # when the body is consumed
    with CaptureQueriesContext(connection) as queries:
        rows = _csv_rows(response)
    # then tags and owner names were read once per chunk (3 chunks), not once per row
    assert len(rows) == 6
    tag_queries = [q for q in queries.captured_queries if "core_tag" in q["sql"]]
    user_queries = [q for q in queries.captured_queries if "identity_user" in q["sql"]]
    assert (len(tag_queries), len(user_queries)) == (3, 3)


def test_query_count_does_not_grow_with_rows(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    # given many accounts with tags
    tag = TagFactory(name="vip")
    for i in range(30):
        AccountFactory(name=f"A{i}", owner=personas.owner).tags.add(tag)
    client = client_for(personas.owner)
    # when / then: request, custom fields, count, rows, tags, owners, and session bookkeeping
    with django_assert_max_num_queries(10):
        rows = _csv_rows(client.get("/api/accounts/export/?columns=name,tags,owner"))
    assert len(rows) == 31


# --- schema -------------------------------------------------------------------------------


def test_export_endpoints_are_in_the_schema(api: APIClient) -> None:
    schema = api.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/accounts/export/" in paths
    params = {p["name"] for p in paths["/api/accounts/export/"]["get"]["parameters"]}
    assert {"format", "columns", "header", "async"} <= params
    assert "/api/exports/{id}/" in paths
    assert "/api/exports/{id}/download/" in paths
