"""Quick add on a record page: a note, task, call or meeting linked to the record, created
through the activities record type's serializer (and so its services and rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rapport.activities.choices import ActivityKind
from rapport.framework.api.problems import django_validation_detail
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.ui.forms import aware_iso, flat_messages
from rapport.framework.ui.querying import drf_request
from rapport.framework.ui.record_page import record_or_404, timeline_context

QUICK_KINDS = (ActivityKind.NOTE, ActivityKind.TASK, ActivityKind.CALL, ActivityKind.MEETING)
# Which time a quick-added activity's "when" fills: a task is due, calls and meetings start.
WHEN_FIELD = {
    ActivityKind.TASK: "due_at",
    ActivityKind.CALL: "start_at",
    ActivityKind.MEETING: "start_at",
}


@dataclass
class QuickAddForm:
    kind: str = ActivityKind.NOTE
    subject: str = ""
    body: str = ""
    when: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return [(str(k.value), str(k.label)) for k in QUICK_KINDS]


def quick_add_allowed(rt: RecordType) -> bool:
    """Activities can be linked to any record type but configuration and activities."""
    return not rt.is_config and rt.key != "activities"


def quick_add_create(request: HttpRequest, rt: RecordType, pk: Any) -> tuple[Any, QuickAddForm]:
    """Create the activity the quick-add form describes; ``(activity or None, form)``."""
    form = QuickAddForm(
        kind=request.POST.get("kind", ""),
        subject=request.POST.get("subject", "").strip(),
        body=request.POST.get("body", ""),
        when=request.POST.get("when", "").strip(),
    )
    if form.kind not in {str(k.value) for k in QUICK_KINDS}:
        form.errors["kind"] = [_("Choose a note, task, call or meeting.")]
        return None, form
    data: dict[str, Any] = {
        "kind": form.kind,
        "subject": form.subject,
        "body": form.body,
        "related_type": rt.key,
        "related_id": pk,
    }
    when_field = WHEN_FIELD.get(ActivityKind(form.kind))
    if form.when and when_field:
        data[when_field] = aware_iso(form.when)
    activities = get_record_type("activities")
    wrapped = drf_request(request)
    ser = activities.serializer(data=data, context={"request": wrapped, "channel": Channel.UI})
    errors: Any = None
    if ser.is_valid():
        try:
            return ser.save(), QuickAddForm()
        except DjangoValidationError as exc:
            errors = django_validation_detail(exc)
        except RecordPermissionDenied as exc:
            form.general.append(str(exc))
    else:
        errors = ser.errors
    for name, msgs in (errors or {}).items():
        target = "when" if name in ("due_at", "start_at", "end_at") else name
        if target in ("kind", "subject", "body", "when"):
            form.errors.setdefault(target, []).extend(flat_messages(msgs))
        else:
            form.general.extend(flat_messages(msgs))
    return None, form


@login_required
@require_POST
def quick_add(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    """Add an activity to the record; htmx gets the refreshed timeline (and a fresh form),
    a plain form post is redirected back to the record page."""
    rt = get_record_type(key)
    record = record_or_404(rt, request, pk)
    if not quick_add_allowed(rt):
        return HttpResponse(_("Activities cannot be added here."), status=400)
    activity, form = quick_add_create(request, rt, record.pk)
    htmx = request.headers.get("HX-Request") == "true"
    if not htmx:
        if activity is not None:
            messages.success(request, _("%(type)s added.") % {"type": activity.get_kind_display()})
        else:
            problems = [m for msgs in form.errors.values() for m in msgs] + form.general
            messages.error(request, " ".join(problems))
        return redirect("ui:detail", key=key, pk=record.pk)
    context = {"rt": rt, "record": record, "quick": form, "quick_allowed": True}
    if activity is None:
        response = render(request, "ui/_record_quick_add.html", context)
        response["HX-Retarget"] = "#quick-add"
        response["HX-Reswap"] = "outerHTML"
        return response
    context.update(timeline_context(rt, record, request))
    context["oob"] = True
    return render(request, "ui/_record_timeline_refresh.html", context)
