"""The purchase history imported from a file: one row per order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from conftest import client_for
from rapport.framework.testing.factories import AccountFactory
from rapport.imports.models import ImportJob
from rapport.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def write_csv(path: Any, rows: list[list[str]]) -> Any:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_orders_import_with_a_bad_row_in_the_error_file(personas: Any, tmp_path: Any) -> None:
    # given two accounts of the owner and a file of three orders, one for an unknown account
    acme = AccountFactory(name="Acme", owner=personas.owner)
    globex = AccountFactory(name="Globex", owner=personas.owner)
    path = write_csv(
        tmp_path / "orders.csv",
        [
            [
                "Order number",
                "Customer",
                "Order date",
                "Status",
                "Currency",
                "Subtotal",
                "Discount",
                "Tax",
                "Total",
                "External reference",
            ],
            [
                "SO-1001",
                "Acme",
                "2025-03-14",
                "Fulfilled",
                "USD",
                "1000.00",
                "100.00",
                "90.00",
                "990.00",
                "ERP-1",
            ],
            ["SO-1002", "Initech", "2025-04-01", "confirmed", "USD", "50", "0", "0", "50", "ERP-2"],
            ["SO-1003", "globex", "2025-05-20", "Cancelled", "EUR", "", "", "", "75.5", "ERP-3"],
        ],
    )
    # when the owner imports it from the command line
    out = io.StringIO()
    call_command("import", str(path), "--type", "orders", "--user", "owner", stdout=out)
    # then the two good rows are orders and the bad one is reported
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("3 rows, 2 created, 0 updated, 0 skipped, 1 rejected")
    assert lines[1] == "  row 3: Account: No record “Initech”, or you may not see it."
    first, third = Order.objects.order_by("number")
    assert (first.number, first.account, first.order_date, first.status, first.currency_id) == (
        "SO-1001",
        acme,
        dt.date(2025, 3, 14),
        "fulfilled",
        "USD",
    )
    assert (first.subtotal, first.discount_total, first.tax_total, first.total) == (
        Decimal(1000),
        Decimal(100),
        Decimal(90),
        Decimal(990),
    )
    assert (first.external_reference, first.owner) == ("ERP-1", personas.owner)
    # a total alone is the subtotal too
    assert (third.account, third.status, third.currency_id) == (globex, "cancelled", "EUR")
    assert (third.subtotal, third.total) == (Decimal("75.5"), Decimal("75.5"))
    # and the error file names the row and its reason
    job = ImportJob.objects.get()
    errors = client_for(personas.owner).get(f"/api/imports/{job.pk}/errors/")
    rows = list(csv.reader(io.StringIO(b"".join(errors.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "row" and rows[0][-1] == "error"
    assert rows[1][:3] == ["3", "SO-1002", "Initech"]
    assert rows[1][-1] == "Account: No record “Initech”, or you may not see it."


def test_chinese_headers_are_recognised(personas: Any, tmp_path: Any) -> None:
    AccountFactory(name="上海贸易", owner=personas.owner)
    path = write_csv(
        tmp_path / "订单.csv",
        [
            ["订单号", "客户", "下单日期", "状态", "币种", "小计", "折扣", "税额", "总计"],
            ["DD-1", "上海贸易", "2025-06-01", "confirmed", "CNY", "100", "0", "13", "113"],
        ],
    )
    out = io.StringIO()
    call_command("import", str(path), "--type", "orders", "--user", "owner", stdout=out)
    assert (
        out.getvalue()
        .splitlines()[0]
        .endswith("1 rows, 1 created, 0 updated, 0 skipped, 0 rejected")
    )
    order = Order.objects.get()
    assert (order.number, order.account.name, order.currency_id, order.tax_total, order.total) == (
        "DD-1",
        "上海贸易",
        "CNY",
        Decimal(13),
        Decimal(113),
    )


def test_totals_that_do_not_add_up_and_repeated_numbers_are_rejected(
    personas: Any, tmp_path: Any
) -> None:
    AccountFactory(name="Acme", owner=personas.owner)
    path = write_csv(
        tmp_path / "orders.csv",
        [
            ["Order number", "Account", "Order date", "Currency", "Subtotal", "Tax", "Total"],
            ["SO-1", "Acme", "2025-01-02", "USD", "100", "10", "120"],
            ["SO-2", "Acme", "2025-01-03", "USD", "100", "10", "110"],
            ["SO-2", "Acme", "2025-01-04", "USD", "5", "0", "5"],
        ],
    )
    out = io.StringIO()
    call_command("import", str(path), "--type", "orders", "--user", "owner", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("3 rows, 1 created, 0 updated, 0 skipped, 2 rejected")
    assert lines[1] == "  row 2: total: The total 120.00 is not subtotal - discount + tax (110.00)."
    assert lines[2].startswith("  row 4: number: ")
    assert list(Order.objects.values_list("number", flat=True)) == ["SO-2"]
