"""A demo organisation with a few years of closed deals and orders, for the forecast tests."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Personas
from rapport.demo.loader import demo_load
from rapport.demo.plan import DemoResult

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture
def history(personas: Personas) -> DemoResult:
    """Given the personas and a demo of 1,500 contacts (450 opportunities over four years,
    about 300 of them closed, orders for the won ones) ending on 31 October 2026."""
    return demo_load(contacts=1500, seed=3, as_of=AS_OF, search_index=False)
