"""Global search: an index of accounts, contacts, leads and opportunities (SQLite FTS5
locally, PostgreSQL full-text and trigram in production) behind rapport.framework.search."""
