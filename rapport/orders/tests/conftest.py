"""The sales world of the quote tests, for orders made from quotes."""

from rapport.quotes.tests.conftest import world  # noqa: F401  (a fixture)
