"""The administrator's pipeline screens: the pipelines, and per pipeline its stages in order
with their probability and kind, reordered with up/down buttons.

Pipelines and stages are configuration record types, so every write goes through the framework
services (which check that the actor may change configuration and write the change log).
Included by rapport.identity.settings_urls under ``/settings/pipelines/``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_delete, record_update
from rapport.identity.settings_forms import SettingsForm
from rapport.identity.settings_views import settings_actor, staff_required
from rapport.opportunities.choices import ForecastCategory, StageKind
from rapport.opportunities.models import Pipeline, Stage
from rapport.opportunities.services import stage_move
from rapport.opportunities.stages import requirable_fields

_CLOSED_CATEGORIES = (ForecastCategory.CLOSED, ForecastCategory.OMITTED)


class PipelineForm(SettingsForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    is_default = forms.BooleanField(label=gettext_lazy("Default pipeline"), required=False)


class StageForm(SettingsForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    probability = forms.IntegerField(
        label=gettext_lazy("Default probability (%)"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy("A whole number from 0 to 100."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=StageKind.choices,
        help_text=gettext_lazy("Won and lost stages close the opportunities in them."),
    )
    forecast_category = forms.ChoiceField(
        label=gettext_lazy("Forecast category"),
        choices=[("", gettext_lazy("From the kind and probability"))]
        + [(c.value, c.label) for c in ForecastCategory if c not in _CLOSED_CATEGORIES],
        required=False,
        help_text=gettext_lazy(
            "Where opportunities in this stage count in the forecast, unless their owner "
            "chooses. Won stages count as closed, lost ones are omitted."
        ),
    )
    required_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Required fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Opportunities cannot be in this stage without these fields."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["required_fields"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (name, str(f.verbose_name)[:1].upper() + str(f.verbose_name)[1:])
            for name, f in requirable_fields().items()
        ]


def _save(
    request: HttpRequest,
    form: SettingsForm,
    key: str,
    record: Any | None,
    data: dict[str, Any],
) -> Any | None:
    """Write through the framework services; refusals are shown on the form."""
    actor = settings_actor(request)
    record_type = get_record_type(key)
    try:
        if record is None:
            return record_create(actor=actor, record_type=record_type, data=data)
        return record_update(actor=actor, record_type=record_type, record=record, data=data)
    except ValidationError as exc:
        form.service_errors(exc)
    except (RecordPermissionDenied, RecordNotFound) as exc:
        form.add_error(None, str(exc) or _("You do not have permission to do this."))
    return None


@staff_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    pipelines = Pipeline.objects.annotate(stage_count=Count("stages")).order_by("position", "name")
    return render(request, "opportunities/settings/pipelines.html", {"pipelines": pipelines})


@staff_required
@require_http_methods(["GET", "POST"])
def pipeline_create(request: HttpRequest) -> HttpResponse:
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        last = Pipeline.objects.aggregate(last=Max("position"))["last"]
        data = {**form.cleaned_data, "position": 0 if last is None else last + 1}
        pipeline = _save(request, form, "pipelines", None, data)
        if pipeline is not None:
            messages.success(request, _("Pipeline %(name)s created.") % {"name": pipeline.name})
            return redirect("settings-pipeline", pk=pipeline.pk)
    return _form_page(request, form, title=_("New pipeline"), back=reverse("settings-pipelines"))


@staff_required
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(
        request.POST or None, initial={"name": pipeline.name, "is_default": pipeline.is_default}
    )
    back = reverse("settings-pipeline", args=[pipeline.pk])
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, "pipelines", pipeline, form.cleaned_data) is not None
    ):
        messages.success(request, _("Changes saved."))
        return redirect(back)
    title = _("Edit pipeline %(name)s") % {"name": pipeline.name}
    return _form_page(request, form, title=title, back=back)


@staff_required
def pipeline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    return render(
        request,
        "opportunities/settings/pipeline.html",
        {"pipeline": pipeline, "stages": stages, "last": len(stages) - 1},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def stage_create(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = StageForm(request.POST or None, initial={"kind": StageKind.OPEN, "probability": 0})
    back = reverse("settings-pipeline", args=[pipeline.pk])
    if request.method == "POST" and form.is_valid():
        last = Stage.objects.filter(pipeline=pipeline).aggregate(last=Max("position"))["last"]
        data = {
            **form.cleaned_data,
            "pipeline": pipeline,
            "position": 0 if last is None else last + 1,
        }
        stage = _save(request, form, "stages", None, data)
        if stage is not None:
            messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
            return redirect(back)
    title = _("New stage in %(pipeline)s") % {"pipeline": pipeline.name}
    return _form_page(request, form, title=title, back=back)


@staff_required
@require_http_methods(["GET", "POST"])
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    form = StageForm(
        request.POST or None,
        initial={
            "name": stage.name,
            "probability": stage.probability,
            "kind": stage.kind,
            "forecast_category": ""
            if stage.forecast_category in _CLOSED_CATEGORIES
            else stage.forecast_category,
            "required_fields": stage.required_fields,
        },
    )
    back = reverse("settings-pipeline", args=[stage.pipeline_id])
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, "stages", stage, form.cleaned_data) is not None
    ):
        messages.success(request, _("Changes saved."))
        return redirect(back)
    title = _("Edit stage %(name)s") % {"name": stage.name}
    return _form_page(request, form, title=title, back=back)


@staff_required
@require_POST
def stage_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose to move the stage up or down."))
    else:
        try:
            stage_move(actor=settings_actor(request), stage=stage, offset=offset)
        except (RecordPermissionDenied, RecordNotFound) as exc:
            messages.error(request, str(exc) or _("You do not have permission to do this."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Stage %(name)s moved.") % {"name": stage.name})
    return redirect(reverse("settings-pipeline", args=[stage.pipeline_id]) + f"#stage-{pk}")


@staff_required
@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    back = reverse("settings-pipeline", args=[stage.pipeline_id])
    name = stage.name
    try:
        record_delete(
            actor=settings_actor(request), record_type=get_record_type("stages"), record=stage
        )
    except (RecordPermissionDenied, RecordNotFound) as exc:
        messages.error(request, str(exc) or _("You do not have permission to do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Stage %(name)s deleted.") % {"name": name})
    return redirect(back)


def _form_page(request: HttpRequest, form: SettingsForm, *, title: str, back: str) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "opportunities/settings/form.html",
        {"form": form, "title": title, "back": back},
        status=status,
    )


urlpatterns = [
    path("", pipeline_list, name="settings-pipelines"),
    path("new/", pipeline_create, name="settings-pipeline-create"),
    path("<int:pk>/", pipeline_detail, name="settings-pipeline"),
    path("<int:pk>/edit/", pipeline_edit, name="settings-pipeline-edit"),
    path("<int:pk>/stages/new/", stage_create, name="settings-stage-create"),
    path("stages/<int:pk>/", stage_edit, name="settings-stage-edit"),
    path("stages/<int:pk>/move/", stage_move_view, name="settings-stage-move"),
    path("stages/<int:pk>/delete/", stage_delete, name="settings-stage-delete"),
]
