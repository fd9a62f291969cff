"""Saved views of the list screens: save the list being looked at (filters, columns, ordering)
under a name, privately or for a team; open one; update or delete one's own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.core.choices import SavedViewVisibility
from rapport.core.models import SavedView
from rapport.core.selectors import saved_view_get
from rapport.core.services import saved_view_create, saved_view_delete, saved_view_update
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.ui.list_views import record_type_or_404
from rapport.identity.models import Team


def view_url(key: str, view: SavedView) -> str:
    """The list as the view shows it: its query string, marked with the view's id."""
    base = reverse("ui:list", kwargs={"key": key})
    query = f"{view.query}&view={view.pk}" if view.query else f"view={view.pk}"
    return f"{base}?{query}"


def _view_or_404(request: HttpRequest, key: str, view_id: int) -> SavedView:
    try:
        return saved_view_get(request.user, key, view_id)
    except RecordNotFound:
        raise Http404(_("No such view, or you may not use it.")) from None


def _sharing(request: HttpRequest) -> tuple[SavedViewVisibility, Team | None]:
    if request.POST.get("visibility") != SavedViewVisibility.TEAM:
        return SavedViewVisibility.PRIVATE, None
    team_id = request.POST.get("team", "")
    team = Team.objects.filter(pk=int(team_id)).first() if team_id.isdigit() else None
    return SavedViewVisibility.TEAM, team


def _back_to_list(request: HttpRequest, key: str) -> HttpResponseRedirect:
    query = request.POST.get("query", "").lstrip("?")
    base = reverse("ui:list", kwargs={"key": key})
    return redirect(f"{base}?{query}" if query else f"{base}?view=none")


def _error(request: HttpRequest, exc: Any) -> None:
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "message_dict"):
        for field, msgs in exc.message_dict.items():
            label = {"name": _("Name"), "team": _("Team")}.get(field, field)
            messages.error(request, f"{label}: {' '.join(msgs)}")
    else:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


@login_required
@require_POST
def view_create(request: HttpRequest, key: str) -> HttpResponse:
    rt = record_type_or_404(key)
    visibility, team = _sharing(request)
    try:
        view = saved_view_create(
            actor=actor_from_request(request, Channel.UI),
            record_type=rt.key,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
            visibility=visibility,
            team=team,
            is_default="is_default" in request.POST,
        )
    except (DjangoValidationError, RecordPermissionDenied) as exc:
        _error(request, exc)
        return _back_to_list(request, key)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(view_url(key, view))


@login_required
@require_http_methods(["GET", "POST"])
def view_open(request: HttpRequest, key: str, view_id: int) -> HttpResponse:
    """GET: the list as the view shows it. POST: the view updated to the list being looked
    at (its owner only)."""
    record_type_or_404(key)
    view = _view_or_404(request, key, view_id)
    if request.method == "POST":
        visibility, team = _sharing(request)
        try:
            view = saved_view_update(
                actor=actor_from_request(request, Channel.UI),
                view=view,
                name=request.POST.get("name") or view.name,
                query=request.POST.get("query", ""),
                visibility=visibility,
                team=team,
                is_default="is_default" in request.POST,
            )
        except (DjangoValidationError, RecordPermissionDenied) as exc:
            _error(request, exc)
            return _back_to_list(request, key)
        messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
    return redirect(view_url(key, view))


@login_required
@require_POST
def view_delete(request: HttpRequest, key: str, view_id: int) -> HttpResponse:
    record_type_or_404(key)
    view = _view_or_404(request, key, view_id)
    try:
        saved_view_delete(actor=actor_from_request(request, Channel.UI), view=view)
    except RecordPermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(view_url(key, view))
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(f"{reverse('ui:list', kwargs={'key': key})}?view=none")
