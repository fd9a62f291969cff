"""Writes of the duplicate review queue: batch scans and reviewing the pairs they find."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.dedupe.choices import DuplicatePairStatus, DuplicateRecordType, DuplicateScanStatus
from rapport.dedupe.matcher import DEFAULT_THRESHOLD, match_people, paused_gc, worker_count
from rapport.dedupe.models import DuplicatePair, DuplicateScan
from rapport.dedupe.normalise import NormalisedPerson, PersonRecord, normalise
from rapport.dedupe.tasks import duplicate_scan
from rapport.framework.base_models import restricted
from rapport.leads.models import Lead

SCAN_CHUNK = 20_000
UPSERT_BATCH = 1000


def duplicate_record_model(record_type: str) -> type[models.Model]:
    """The model whose rows a scan of ``record_type`` compares."""
    return Contact if record_type == DuplicateRecordType.CONTACTS else Lead


def _contact_chunks(chunk: int) -> Iterator[list[PersonRecord]]:
    """Every contact as a PersonRecord, ``chunk`` contacts (three queries) at a time."""
    last = 0
    while True:
        rows = list(
            Contact.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk", "given_name", "family_name", "city", "country", "primary_account__name"
            )[:chunk]
        )
        if not rows:
            return
        low, last = rows[0][0], rows[-1][0]
        emails: dict[int, list[str]] = defaultdict(list)
        for contact_id, email in ContactEmail.objects.filter(
            contact_id__gte=low, contact_id__lte=last
        ).values_list("contact_id", "email"):
            emails[contact_id].append(email)
        phones: dict[int, list[str]] = defaultdict(list)
        for contact_id, number, e164 in ContactPhone.objects.filter(
            contact_id__gte=low, contact_id__lte=last
        ).values_list("contact_id", "number", "e164"):
            phones[contact_id].append(e164 or number)
        yield [
            PersonRecord(
                id=str(pk),
                given_name=given,
                family_name=family,
                emails=tuple(emails[pk]),
                phones=tuple(phones[pk]),
                company=account or "",
                city=city,
                country=str(country or ""),
            )
            for pk, given, family, city, country, account in rows
        ]


def _lead_chunks(chunk: int) -> Iterator[list[PersonRecord]]:
    """Every lead as a PersonRecord, ``chunk`` leads (one query) at a time."""
    last = 0
    while True:
        rows = list(
            Lead.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "given_name",
                "family_name",
                "email",
                "phone",
                "phone_e164",
                "company",
                "city",
                "country",
            )[:chunk]
        )
        if not rows:
            return
        last = rows[-1][0]
        yield [
            PersonRecord(
                id=str(pk),
                given_name=given,
                family_name=family,
                emails=(email,) if email else (),
                phones=(e164 or phone,) if phone else (),
                company=company,
                city=city,
                country=str(country or ""),
            )
            for pk, given, family, email, phone, e164, company, city, country in rows
        ]


def _people(record_type: str) -> list[NormalisedPerson]:
    """Every record of ``record_type``, normalised chunk by chunk as it is read. Stored phones
    are in E.164 already (validated when written), so they are not parsed again."""
    chunks = _contact_chunks if record_type == DuplicateRecordType.CONTACTS else _lead_chunks
    region = settings.RAPPORT_DEFAULT_REGION
    with paused_gc():
        return [
            normalise(r, region=region, trusted_e164=True)
            for chunk in chunks(SCAN_CHUNK)
            for r in chunk
        ]


def _forget_connections() -> None:
    """Close database connections before forking scoring workers, so that no child ever
    holds the parent's connection; not inside a transaction, which closing would end."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        connections.close_all()


def duplicate_scan_create(
    *, record_type: str, started_by: Any = None, threshold: float = DEFAULT_THRESHOLD
) -> DuplicateScan:
    """A scan waiting to run; ``duplicate_scan_execute`` (or the task) runs it."""
    if record_type not in DuplicateRecordType.values:
        raise ValueError(_("Unknown record type: %(type)s") % {"type": record_type})
    return DuplicateScan.objects.create(
        record_type=record_type, started_by=started_by, threshold=threshold
    )


def duplicate_scan_start(*, record_type: str, started_by: Any) -> DuplicateScan:
    """Create a scan and run it as a background task once the transaction commits."""
    scan = duplicate_scan_create(record_type=record_type, started_by=started_by)
    transaction.on_commit(lambda: duplicate_scan.enqueue(scan_id=scan.pk))
    return scan


def duplicate_scan_execute(*, scan: DuplicateScan, workers: int | None = None) -> DuplicateScan:
    """Compare every record of the scan's type and upsert the pairs at or above its threshold.
    Large scans score in ``workers`` forked processes (default: one per CPU).

    Pairs found again get the new score and reasons but keep their status: a dismissed pair
    stays dismissed. Open pairs that this scan no longer finds (records edited or deleted) are
    removed from the queue.
    """
    started = time.perf_counter()
    try:
        people = _people(scan.record_type)
        if worker_count(workers, len(people)) > 1:
            _forget_connections()
        matched, stats = match_people(people, threshold=scan.threshold, workers=workers)
        del people
        found = [
            DuplicatePair(
                record_type=scan.record_type,
                left_id=int(pair.left_id),
                right_id=int(pair.right_id),
                score=round(pair.score, 4),
                reasons=list(pair.reasons),
                found_by=scan,
            )
            for pair in matched
        ]
        with transaction.atomic():
            DuplicatePair.objects.bulk_create(
                found,
                batch_size=UPSERT_BATCH,
                update_conflicts=True,
                unique_fields=["record_type", "left_id", "right_id"],
                update_fields=["score", "reasons", "found_by"],
            )
            DuplicatePair.objects.filter(
                record_type=scan.record_type, status=DuplicatePairStatus.OPEN
            ).exclude(found_by=scan).delete()
            scan.record_count = stats.records
            scan.candidate_count = stats.candidate_pairs
            scan.pair_count = len(found)
            scan.status = DuplicateScanStatus.DONE
            scan.seconds = round(time.perf_counter() - started, 3)
            scan.finished_at = timezone.now()
            scan.save()
    except Exception as exc:
        scan.status = DuplicateScanStatus.FAILED
        scan.error = str(exc) or type(exc).__name__
        scan.seconds = round(time.perf_counter() - started, 3)
        scan.finished_at = timezone.now()
        scan.save()
        raise
    return scan


def duplicate_scan_run(
    *,
    record_type: str,
    threshold: float = DEFAULT_THRESHOLD,
    started_by: Any = None,
    workers: int | None = None,
) -> DuplicateScan:
    """Scan every contact (or lead) now, from this process; returns the finished scan."""
    scan = duplicate_scan_create(
        record_type=record_type, started_by=started_by, threshold=threshold
    )
    return duplicate_scan_execute(scan=scan, workers=workers)


def duplicate_pair_dismiss(*, actor: Any, pair: DuplicatePair) -> DuplicatePair:
    """Mark ``pair`` as not a duplicate; later scans leave it dismissed. ``actor`` needs change
    access to both records."""
    model = duplicate_record_model(pair.record_type)
    ids = {pair.left_id, pair.right_id}
    with transaction.atomic():
        if restricted(model, actor, "change").filter(pk__in=ids).count() != len(ids):
            raise PermissionDenied(_("You may not change both records of this pair."))
        pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        pair.status = DuplicatePairStatus.DISMISSED
        pair.reviewed_by = actor
        pair.reviewed_at = timezone.now()
        pair.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return pair


def duplicate_pairs_merged(*, user: Any, record_type: str, survivor_id: int, other_id: int) -> int:
    """Close the review-queue pairs of two records that were just merged; the number closed.

    Pairs of the merged-away record with third records now concern the survivor: they stay
    open and the next scan rescores them."""
    if record_type not in DuplicateRecordType.values:
        return 0
    left, right = sorted((survivor_id, other_id))
    return DuplicatePair.objects.filter(
        record_type=record_type, left_id=left, right_id=right
    ).update(status=DuplicatePairStatus.MERGED, reviewed_by=user, reviewed_at=timezone.now())
