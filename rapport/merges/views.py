"""Screens for merging two records: the side-by-side comparison where the user chooses which
values survive, the merge and its undo, and the duplicate review queue.

Every write goes through the same services as the API (``records_merge``,
``record_merge_undo``, ``duplicate_pair_dismiss``, ``duplicate_scan_start``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.dedupe.choices import DuplicatePairStatus, DuplicateRecordType
from rapport.dedupe.models import DuplicatePair, DuplicateScan
from rapport.dedupe.selectors import duplicate_pair_titles, duplicate_pairs_visible
from rapport.dedupe.services import duplicate_pair_dismiss, duplicate_scan_start
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.merge import (
    CUSTOM_KEEP_PREFIX,
    MergeAlreadyUndone,
    mergeable_fields,
    record_merge_undo,
)
from rapport.framework.registry import RecordType
from rapport.framework.ui.columns import CF_PREFIX, Column, available_columns, cell_value, display
from rapport.framework.ui.columns import related_labels as column_labels
from rapport.framework.ui.list_views import record_type_or_404
from rapport.framework.ui.record_page import can, record_or_404, representation
from rapport.framework.ui.related import related_lists
from rapport.framework.ui.sections import child_lists
from rapport.merges.choices import MergeKeep
from rapport.merges.models import MergeRecord
from rapport.merges.services import records_merge

KEEP_PREFIX = "keep:"
QUEUE_PAGE_SIZE = 50
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class FieldRow:
    """One field of the two records: their values as shown, and which one is kept."""

    name: str
    label: str
    survivor_text: str
    other_text: str
    differs: bool
    keep: str
    error: str = ""

    @property
    def input_name(self) -> str:
        return KEEP_PREFIX + self.name


@dataclass(frozen=True)
class MoveCount:
    label: str
    count: int


def mergeable_type(key: str) -> RecordType:
    """The record type ``key`` if its records can be merged; 404 otherwise."""
    rt = record_type_or_404(key)
    if rt.merge_related is None:
        raise Http404(_("Records of this type cannot be merged."))
    return rt


def _raw(record: models.Model, name: str, fields: dict[str, Any]) -> Any:
    if name.startswith(CUSTOM_KEEP_PREFIX):
        return (getattr(record, "custom_fields", None) or {}).get(name[len(CUSTOM_KEEP_PREFIX) :])
    return getattr(record, fields[name].attname)


def field_rows(
    rt: RecordType,
    survivor: models.Model,
    other: models.Model,
    request: HttpRequest,
    chosen: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> list[FieldRow]:
    """The fields a merge decides on (as ``record_merge`` sees them), in model order, then the
    custom fields. Where the two differ the survivor's value is kept unless it is empty."""
    fields = mergeable_fields(rt.model)
    customs = set((getattr(survivor, "custom_fields", None) or {}).keys()) | set(
        (getattr(other, "custom_fields", None) or {}).keys()
    )
    names = list(fields) + [CUSTOM_KEEP_PREFIX + key for key in sorted(customs)]
    columns = available_columns(rt)
    data = [representation(rt, survivor, request), representation(rt, other, request)]
    # The list columns name custom fields differently from the merge service.
    column_of = {
        n: CF_PREFIX + n[len(CUSTOM_KEEP_PREFIX) :] if n.startswith(CUSTOM_KEEP_PREFIX) else n
        for n in names
    }
    shown = set(column_of.values())
    labels = column_labels([c for c in columns.values() if c.name in shown], data)
    rows = []
    for name in names:
        col: Column | None = columns.get(column_of[name])
        mine, theirs = _raw(survivor, name, fields), _raw(other, name, fields)
        if mine in _EMPTY and theirs in _EMPTY:
            continue
        texts = [display(col, cell_value(col, d), labels) if col else "" for d in data]
        raws = (mine, theirs)
        texts = [t or ("" if v in _EMPTY else str(v)) for t, v in zip(texts, raws, strict=True)]
        label = col.label if col else str(fields[name].verbose_name if name in fields else name)
        default = MergeKeep.OTHER if mine in _EMPTY else MergeKeep.SURVIVOR
        keep = (chosen or {}).get(name, default)
        rows.append(
            FieldRow(
                name=name,
                label=str(label),
                survivor_text=texts[0],
                other_text=texts[1],
                differs=mine != theirs,
                keep=keep,
                error=(errors or {}).get(name, ""),
            )
        )
    return rows


def moves_summary(rt: RecordType, other: models.Model, user: Any) -> list[MoveCount]:
    """What moves onto the survivor: the other record's related lists, counted."""
    return [MoveCount(r.label, r.count) for r in related_lists(rt, other, user) if r.count]


def _compare_url(key: str, survivor_id: Any, other_id: Any) -> str:
    return reverse(
        "merges:compare", kwargs={"key": key, "survivor_id": survivor_id, "other_id": other_id}
    )


def _keep_posted(request: HttpRequest) -> dict[str, str]:
    return {
        name[len(KEEP_PREFIX) :]: str(value)
        for name, value in request.POST.items()
        if name.startswith(KEEP_PREFIX)
    }


def _keep_errors(exc: DjangoValidationError) -> tuple[dict[str, str], list[str]]:
    """Errors of ``keep`` by field name; the others (the record no longer valid) as text."""
    if not hasattr(exc, "error_dict"):
        return {}, list(exc.messages)
    by_field: dict[str, str] = {}
    general: list[str] = []
    for name, problems in exc.message_dict.items():
        text = " ".join(problems)
        if name.startswith("keep."):
            by_field[name[len("keep.") :]] = text
        else:
            general.append(text)
    return by_field, general


@login_required
@require_http_methods(["GET", "POST"])
def compare(request: HttpRequest, key: str, survivor_id: int, other_id: int) -> HttpResponse:
    """The two records side by side; posting merges ``other`` into ``survivor``."""
    rt = mergeable_type(key)
    survivor = record_or_404(rt, request, survivor_id)
    other = record_or_404(rt, request, other_id)
    user = request.user
    allowed = can(rt, user, "change", survivor) and can(rt, user, "delete", other)
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if survivor.pk == other.pk:
        general.append(_("A record cannot be merged with itself."))
        allowed, status = False, 400
    elif not allowed:
        general.append(
            _("You may merge only into a record you may change, and only one you may delete.")
        )
        status = 403
    elif request.method == "POST":
        chosen = _keep_posted(request)
        try:
            result = records_merge(
                actor=actor_from_request(request, Channel.UI),
                record_type=rt,
                survivor=survivor,
                other=other,
                keep=chosen,
            )
        except RecordNotFound:
            raise Http404(_("No such record, or you may not see it.")) from None
        except RecordPermissionDenied as exc:
            general.append(str(exc))
            allowed, status = False, 403
        except DjangoValidationError as exc:
            errors, general = _keep_errors(exc)
            status = 400
        else:
            messages.success(
                request,
                _("%(other)s was merged into %(survivor)s.")
                % {"other": str(other), "survivor": str(result.survivor)},
            )
            url = reverse("ui:detail", kwargs={"key": key, "pk": result.survivor.pk})
            return redirect(url + "?" + urlencode({"merged": result.merge.pk}))
    rows = field_rows(rt, survivor, other, request, chosen, errors)
    context = {
        "rt": rt,
        "survivor": survivor,
        "other": other,
        "differing": [r for r in rows if r.differs],
        "same": [r for r in rows if not r.differs],
        "moves": moves_summary(rt, other, user),
        "other_children": child_lists(rt, representation(rt, other, request), user),
        "swap_url": _compare_url(key, other.pk, survivor.pk),
        "allowed": allowed,
        "general": general,
        "survivor_label": MergeKeep.SURVIVOR,
        "other_label": MergeKeep.OTHER,
    }
    return render(request, "merges/compare.html", context, status=status)


@login_required
@require_GET
def choose(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The "Merge with…" picker's answer: the comparison of this record with the chosen one."""
    rt = mergeable_type(key)
    record = record_or_404(rt, request, pk)
    other = request.GET.get("other", "").strip()
    if not other.isdigit():
        messages.error(request, _("Merge with: choose a record."))
        return redirect("ui:detail", key=key, pk=record.pk)
    return redirect(_compare_url(key, record.pk, int(other)))


def _merge_visible(user: Any, merge_id: int) -> MergeRecord:
    """A merge the user made (any merge for administrators), as the API answers it."""
    merges = MergeRecord.objects.all()
    if not user.is_superuser:
        merges = merges.filter(actor=user)
    merge = merges.filter(pk=merge_id).first()
    if merge is None:
        raise Http404(_("No such merge."))
    return merge


@login_required
@require_POST
def undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    """Undo a merge: the merged record comes back and the survivor's values are restored."""
    merge = _merge_visible(request.user, merge_id)
    survivor_url = reverse("ui:detail", kwargs={"key": merge.record_type, "pk": merge.survivor_id})
    try:
        record_merge_undo(actor=actor_from_request(request, Channel.UI), merge=merge)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None
    except (MergeAlreadyUndone, RecordPermissionDenied) as exc:
        messages.error(request, str(exc) or _("You do not have permission to do this."))
        return redirect(survivor_url)
    except DjangoValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(survivor_url)
    messages.success(request, _("The merge was undone."))
    return redirect(survivor_url)


def undo_offer(user: Any, record: models.Model, merge_id: str) -> MergeRecord | None:
    """The merge ``merge_id`` into ``record`` if ``user`` may still undo it (record page)."""
    if not merge_id.isdigit():
        return None
    try:
        merge = _merge_visible(user, int(merge_id))
    except Http404:
        return None
    if merge.undone_at is not None or merge.survivor_id != record.pk:
        return None
    return merge


# The duplicate review queue.


@dataclass(frozen=True)
class QueueRow:
    pair: DuplicatePair
    left_title: str
    right_title: str
    compare_url: str


def _queue_type(request: HttpRequest) -> str:
    value = request.GET.get("record_type") or request.POST.get("record_type") or ""
    return value if value in DuplicateRecordType.values else DuplicateRecordType.CONTACTS


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Open pairs of likely duplicates whose two records the user may see, best first."""
    record_type = _queue_type(request)
    pairs = duplicate_pairs_visible(user=request.user, record_type=record_type).filter(
        status=DuplicatePairStatus.OPEN
    )
    page = Paginator(pairs.order_by("-score", "id"), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    titles = duplicate_pair_titles(record_type=record_type, pairs=items)
    rows = [
        QueueRow(
            pair=p,
            left_title=titles.get(p.left_id, f"#{p.left_id}"),
            right_title=titles.get(p.right_id, f"#{p.right_id}"),
            compare_url=_compare_url(record_type, p.left_id, p.right_id),
        )
        for p in items
    ]
    is_admin = bool(request.user.is_superuser)
    last_scan = (
        DuplicateScan.objects.filter(record_type=record_type).order_by("-started_at", "-id").first()
        if is_admin
        else None
    )
    context = {
        "record_type": record_type,
        "types": DuplicateRecordType.choices,
        "rows": rows,
        "page": page,
        "is_admin": is_admin,
        "last_scan": last_scan,
    }
    return render(request, "merges/queue.html", context)


def _queue_url(record_type: str) -> str:
    return reverse("merges:queue") + "?" + urlencode({"record_type": record_type})


@login_required
@require_POST
def dismiss(request: HttpRequest, pair_id: int) -> HttpResponse:
    """ "Not duplicates": the pair leaves the queue and later scans keep it out."""
    pair = DuplicatePair.objects.filter(pk=pair_id).first()
    if pair is None or not (
        duplicate_pairs_visible(user=request.user, record_type=pair.record_type)
        .filter(pk=pair.pk)
        .exists()
    ):
        raise Http404(_("No such pair, or you may not see both records."))
    try:
        duplicate_pair_dismiss(actor=request.user, pair=pair)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The pair was marked as not duplicates."))
    return redirect(_queue_url(pair.record_type))


@login_required
@require_POST
def scan_start(request: HttpRequest) -> HttpResponse:
    """Start a batch scan that refills the queue; administrators only."""
    if not request.user.is_superuser:
        return render(request, "ui/denied.html", status=403)
    record_type = request.POST.get("record_type", "")
    if record_type not in DuplicateRecordType.values:
        messages.error(request, _("Record type: choose contacts or leads."))
        return redirect("merges:queue")
    duplicate_scan_start(record_type=record_type, started_by=request.user)
    messages.success(request, _("A scan was started; the queue fills when it finishes."))
    return redirect(_queue_url(record_type))
