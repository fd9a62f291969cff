"""The pipeline board: opportunities as cards in stage columns, moved between stages by
drag and drop (static/src/rapport/board.js) or by each card's "Move to" form."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import record_get
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_update
from rapport.identity.models import Team, User
from rapport.opportunities.models import Opportunity, Pipeline, Stage
from rapport.workspace.board import (
    BoardColumn,
    BoardFilters,
    ColumnTotals,
    board_read,
    board_totals,
    pipeline_default,
    totals_texts,
)
from rapport.workspace.money import BaseConverter

FILTER_NAMES = ("pipeline", "owner", "team", "close_from", "close_to")


class BoardFilterForm(forms.Form):
    """The board's filters; every one optional, the pipeline defaults to the default one."""

    pipeline = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label=gettext_lazy("Pipeline")
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label=gettext_lazy("Owner"),
        empty_label=gettext_lazy("Anyone"),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Team"),
        empty_label=gettext_lazy("Any team"),
    )
    close_from = forms.DateField(
        required=False,
        label=gettext_lazy("Closing from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    close_to = forms.DateField(
        required=False,
        label=gettext_lazy("Closing until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, pipelines: list[Pipeline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pipelines = pipelines
        # The pipelines the view read already: no second query to validate the choice.
        field = self.fields["pipeline"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(p.pk), p.name) for p in pipelines]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("close_from"), data.get("close_to")
        if start and end and start > end:
            self.add_error("close_to", _("The end of the range must not be before its start."))
        return data

    def board_filters(self) -> BoardFilters | None:
        """The filters that are valid (an invalid one is shown beside its field and ignored)."""
        data = getattr(self, "cleaned_data", {})
        chosen = data.get("pipeline")
        pipeline = next((p for p in self.pipelines if p.pk == chosen), None) or pipeline_default(
            self.pipelines
        )
        if pipeline is None:
            return None
        return BoardFilters(
            pipeline=pipeline,
            owner=data.get("owner"),
            team=data.get("team"),
            close_from=data.get("close_from") if "close_to" not in self.errors else None,
            close_to=data.get("close_to"),
        )


def _filter_form(request: HttpRequest, source: Any) -> BoardFilterForm:
    pipelines = list(Pipeline.objects.restrict(request.user, "view").order_by("position", "name"))
    data = {name: source.get(name, "") for name in FILTER_NAMES}
    form = BoardFilterForm(data, pipelines=pipelines)
    form.is_valid()
    return form


def _board_query(filters: BoardFilters) -> str:
    params = {"pipeline": str(filters.pipeline.pk)}
    if filters.owner is not None:
        params["owner"] = str(filters.owner.pk)
    if filters.team is not None:
        params["team"] = str(filters.team.pk)
    if filters.close_from is not None:
        params["close_from"] = filters.close_from.isoformat()
    if filters.close_to is not None:
        params["close_to"] = filters.close_to.isoformat()
    return urlencode(params)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The board of one pipeline, filtered by the query parameters."""
    form = _filter_form(request, request.GET)
    filters = form.board_filters()
    board_data = (
        board_read(user=request.user, filters=filters, on=timezone.localdate())
        if filters is not None
        else None
    )
    if board_data is not None:
        _move_options(board_data.columns)
    hidden = format_html_join(
        "",
        '<input type="hidden" name="{}" value="{}">',
        parse_qsl(_board_query(filters)) if filters else [],
    )
    context = {
        "form": form,
        "board": board_data,
        "filter_query": _board_query(filters) if filters else "",
        "board_filter_inputs": hidden,
        "list_query": urlencode(filters.list_params()) if filters else "",
    }
    return render(request, "opportunities/board.html", context, status=400 if form.errors else 200)


def _move_options(columns: list[BoardColumn]) -> None:
    """Each column's "Move to" options, rendered once per column rather than once per card
    (hundreds of cards times every stage made up most of the board's render time)."""
    for column in columns:
        column.move_options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    other.stage.pk,
                    mark_safe(" selected") if other is column else "",
                    other.stage.name,
                )
                for other in columns
            ),
        )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _refused(request: HttpRequest, message: str, status: int, back: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=status)
    messages.error(request, message)
    return redirect(back)


@login_required
@require_POST
def board_move(request: HttpRequest) -> HttpResponse:
    """Move one opportunity to another stage through the framework's update service (stage
    history, change log and events follow). Answers JSON to the board's script, otherwise
    redirects back to the board with a message."""
    form = _filter_form(request, request.POST)
    filters = form.board_filters()
    back = reverse("board") + (f"?{_board_query(filters)}" if filters else "")
    try:
        opportunity_id = int(request.POST.get("opportunity", ""))
        stage_id = int(request.POST.get("stage", ""))
    except ValueError:
        return _refused(request, _("Choose an opportunity and a stage."), 400, back)
    try:
        opportunity = record_get(Opportunity, request.user, opportunity_id)
    except RecordNotFound:
        return _refused(request, _("No such opportunity, or you may not see it."), 404, back)
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        return _refused(request, _("No such stage."), 400, back)
    name = opportunity.name
    try:
        record_update(
            actor=actor_from_request(request, channel=Channel.UI),
            record_type=get_record_type("opportunities"),
            record=opportunity,
            data={"stage": stage},
        )
    except RecordPermissionDenied as exc:
        message = _("“%(name)s” was not moved: %(reason)s") % {"name": name, "reason": exc}
        return _refused(request, message, 403, back)
    except ValidationError as exc:
        reason = " ".join(exc.messages)
        message = _("“%(name)s” was not moved: %(reason)s") % {"name": name, "reason": reason}
        return _refused(request, message, 400, back)
    message = _("“%(name)s” moved to %(stage)s.") % {"name": name, "stage": stage.name}
    if not _wants_json(request):
        messages.success(request, message)
        return redirect(back)
    totals: dict[str, dict[str, str]] = {}
    if filters is not None:
        converter = BaseConverter()
        by_stage = board_totals(
            user=request.user, filters=filters, on=timezone.localdate(), converter=converter
        )
        stage_ids = Stage.objects.filter(pipeline=filters.pipeline).values_list("pk", flat=True)
        totals = {
            str(pk): totals_texts(by_stage.get(pk, ColumnTotals()), converter.currency)
            for pk in stage_ids
        }
    return JsonResponse({"ok": True, "message": message, "stage": stage.pk, "totals": totals})
