"""The search index: one entry per indexed record, its phone numbers, and the vocabulary of
name words used to correct typos.

The tables are derived data, rebuilt by ``search_reindex`` at any time. Database-specific
indexes (the SQLite FTS5 tables and their triggers, the PostgreSQL trigram and full-text
indexes) are created by the migrations through ``rapport.search.ddl``.
"""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    """What search matches a record on: ``text`` (name, emails, company, pinyin) for
    substring and fuzzy matches, ``key`` (the folded title) for name-prefix matches."""

    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    title = models.CharField(max_length=255)
    subtitle = models.CharField(max_length=255, blank=True)
    key = models.CharField(max_length=255, db_index=True)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id"], name="search_entry_unique_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"


class SearchPhone(models.Model):
    """One phone number of a record, its E.164 digits reversed so that a suffix search
    ("555-0143") is a prefix range scan on an ordinary index."""

    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    digits_rev = models.CharField(max_length=20, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["record_type", "record_id"], name="search_phone_record")]

    def __str__(self) -> str:
        return self.digits_rev[::-1]


class SearchTerm(models.Model):
    """A word that occurs in some title; typo correction picks the nearest ones."""

    term = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.term
