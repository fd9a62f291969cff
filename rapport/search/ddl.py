"""Database-specific index structures the ORM cannot declare, created by the migrations.

SQLite: FTS5 tables with the trigram tokenizer over ``SearchEntry.text`` (plus its record type,
so a search for one type filters inside FTS) and over ``SearchTerm.term``, kept in step by
triggers, the pattern FTS5's documentation gives for external-content tables. Terms are indexed
padded with spaces, as pg_trgm does, so that a word's first and last letters make trigrams.
PostgreSQL: pg_trgm GIN indexes for substring and similarity matches, a GIN full-text index for
word-prefix matches of short words, and pattern-ops B-trees for prefix ``LIKE``.
"""

from __future__ import annotations

from typing import Any

ENTRY = "search_searchentry"
TERM = "search_searchterm"
PHONE = "search_searchphone"
ENTRY_FTS = "search_entry_fts"
TERM_FTS = "search_term_fts"

ENTRY_DELETE_TRIGGER = f"""
CREATE TRIGGER IF NOT EXISTS search_entry_ad AFTER DELETE ON {ENTRY} BEGIN
  INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, rowid, record_type, text)
  VALUES ('delete', old.id, old.record_type, old.text);
END"""

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {ENTRY_FTS} USING fts5(
        record_type, text, content='{ENTRY}', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_ai AFTER INSERT ON {ENTRY} BEGIN
      INSERT INTO {ENTRY_FTS}(rowid, record_type, text) VALUES (new.id, new.record_type, new.text);
    END""",
    ENTRY_DELETE_TRIGGER,
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_au AFTER UPDATE ON {ENTRY} BEGIN
      INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, rowid, record_type, text)
      VALUES ('delete', old.id, old.record_type, old.text);
      INSERT INTO {ENTRY_FTS}(rowid, record_type, text) VALUES (new.id, new.record_type, new.text);
    END""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TERM_FTS} USING fts5(
        term, content='{TERM}', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS search_term_ai AFTER INSERT ON {TERM} BEGIN
      INSERT INTO {TERM_FTS}(rowid, term) VALUES (new.id, ' ' || new.term || ' ');
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_term_ad AFTER DELETE ON {TERM} BEGIN
      INSERT INTO {TERM_FTS}({TERM_FTS}, rowid, term)
      VALUES ('delete', old.id, ' ' || old.term || ' ');
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_term_ad",
    "DROP TRIGGER IF EXISTS search_term_ai",
    f"DROP TABLE IF EXISTS {TERM_FTS}",
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    f"DROP TABLE IF EXISTS {ENTRY_FTS}",
]

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS search_entry_text_trgm ON {ENTRY} USING gin (text gin_trgm_ops)",
    f"""CREATE INDEX IF NOT EXISTS search_entry_text_tsv ON {ENTRY}
        USING gin (to_tsvector('simple'::regconfig, text))""",
    f"CREATE INDEX IF NOT EXISTS search_entry_key_like ON {ENTRY} (key varchar_pattern_ops)",
    f"CREATE INDEX IF NOT EXISTS search_phone_digits_like ON {PHONE} "
    "(digits_rev varchar_pattern_ops)",
    f"CREATE INDEX IF NOT EXISTS search_term_trgm ON {TERM} USING gin (term gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_phone_digits_like",
    "DROP INDEX IF EXISTS search_entry_key_like",
    "DROP INDEX IF EXISTS search_entry_text_tsv",
    "DROP INDEX IF EXISTS search_entry_text_trgm",
]


def _run(schema_editor: Any, sqlite: list[str], postgres: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for sql in sqlite if vendor == "sqlite" else postgres if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def create_indexes(apps: Any, schema_editor: Any) -> None:
    """Migration step: create the database-specific search structures."""
    _run(schema_editor, SQLITE_CREATE, POSTGRES_CREATE)


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    """Migration step (reverse): drop them."""
    _run(schema_editor, SQLITE_DROP, POSTGRES_DROP)
