"""The Simplified Chinese catalogue is complete and matches the source."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def test_every_message_is_translated():
    catalog = _catalog(PO)

    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
    ]

    assert missing == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext (Debian gettext) missing")
def test_catalogue_lists_every_message_in_the_source(tmp_path):
    for part in ("rapport", "config", "templates", "locale"):
        shutil.copytree(
            ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-v", "0"],
        cwd=tmp_path,
        check=True,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        },
    )

    fresh = {m.id for m in _catalog(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po") if m.id}
    committed = {m.id for m in _catalog(PO) if m.id}
    assert sorted(fresh - committed, key=str) == []


def test_chinese_is_served(db):
    with translation.override("zh-hans"):
        assert str(translation.gettext("Contact")) != "Contact"
