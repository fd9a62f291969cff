"""Duplicate detection for people (contacts and leads): plain Python over records, no ORM.

``normalise`` turns raw fields into comparable forms, ``blocking`` proposes candidate pairs,
``scoring`` scores a pair with reasons, ``matcher`` ties them together, ``csvio`` reads and
writes files for ``rapport dedupe``, ``generate`` and ``evaluate`` measure the result.
"""
