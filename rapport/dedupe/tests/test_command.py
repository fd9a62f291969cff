import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ENGLISH = (
    "Contact ID,First Name,Last Name,E-mail,Mobile,Company,City\n"
    "7,Bill,Gates,bill@ms.com,(415) 382-1234,Microsoft Corp,Seattle\n"
    "12,William,Gates,BILL@MS.COM,+1 415 382 1234,Microsoft,Seattle\n"
    "3,Ada,Lovelace,ada@analytical.org,,,London\n"
)
CHINESE = (
    "编号,姓名,邮箱,手机,公司\n"
    "a1,王小明,xm.wang@example.cn,138 1234 5678,深圳华信科技有限公司\n"
    "a2,Xiaoming Wang,,+86 138-1234-5678,深圳华信科技\n"
    "a3,李娜,li.na@example.cn,139 0000 1111,北京凯通酒店管理股份有限公司\n"
)


def run(tmp_path: Path, content: str | None, *args: str) -> list[dict[str, str]]:
    source, out = tmp_path / "people.csv", tmp_path / "pairs.csv"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    call_command("dedupe", str(source), "--out", str(out), *args, stdout=io.StringIO())
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_english_headers_end_to_end(tmp_path):
    rows = run(tmp_path, ENGLISH, "--id-column", "Contact ID")
    assert len(rows) == 1
    assert (rows[0]["left_id"], rows[0]["right_id"]) == ("7", "12")
    assert float(rows[0]["score"]) > 0.99
    assert rows[0]["reasons"] == (
        "same email; same phone; same name; nickname (bill = william); same company; same city"
    )


def test_chinese_headers_end_to_end(tmp_path):
    rows = run(tmp_path, CHINESE, "--id-column", "编号", "--region", "CN")
    assert [(r["left_id"], r["right_id"]) for r in rows] == [("a1", "a2")]
    assert "same phone" in rows[0]["reasons"]
    assert "same company" in rows[0]["reasons"]


def test_threshold_one_reports_nothing(tmp_path):
    assert run(tmp_path, ENGLISH, "--id-column", "Contact ID", "--threshold", "1") == []


@pytest.mark.parametrize(
    ("content", "id_column", "message"),
    [
        (None, "id", "file not found"),
        (ENGLISH, "id", "--id-column 'id' is not a column of the file"),
        ("", "id", "is empty: no header row"),
        ("id,name\n", "id", "has a header but no rows"),
        (
            "id,name\n1,Ann Lee\n2,Bob Ray\n1,Cy Day\n",
            "id",
            "duplicate id '1' in 'id' (lines 2 and 4)",
        ),
    ],
    ids=["missing-file", "missing-id-column", "empty-file", "no-rows", "duplicate-ids"],
)
def test_bad_input_is_a_usage_error(tmp_path, content, id_column, message):
    with pytest.raises(CommandError) as error:
        run(tmp_path, content, "--id-column", id_column)
    assert error.value.returncode == 2
    assert message in str(error.value)


def test_exit_code_of_the_real_command(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-m", "rapport.cli", "dedupe", str(tmp_path / "nope.csv"),
         "--id-column", "id", "--out", str(tmp_path / "out.csv")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "file not found" in result.stderr
