"""A small demo database shared by the demo tests."""

from __future__ import annotations

import datetime as dt

import pytest

from rapport.demo.loader import demo_load
from rapport.demo.plan import DemoResult

AS_OF = dt.date(2025, 6, 30)
CONTACTS = 300


@pytest.fixture
def demo(db: None) -> DemoResult:
    """Given a demo of 300 contacts, seed 7, ending on 30 June 2025."""
    return demo_load(contacts=CONTACTS, seed=7, as_of=AS_OF)
