"""Navigation of the app shell: areas, each with its record types and extra screens.

Record types appear in the area they declare (``RecordType.nav_area``); screens that are not
record lists (the pipeline board, My day, dashboards) register a link with ``nav_link``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rapport.framework.registry import record_types

AREAS: dict[str, Promise] = {
    "home": _("Home"),
    "sales": _("Sales"),
    "marketing": _("Marketing"),
    "service": _("Service"),
    "analytics": _("Analytics"),
    "settings": _("Settings"),
}


@dataclass(frozen=True)
class NavLink:
    area: str
    label: Promise | str
    url_name: str
    order: int = 100
    staff_only: bool = False


@dataclass(frozen=True)
class NavEntry:
    label: str
    url: str
    key: str


_links: list[NavLink] = []


def nav_link(link: NavLink) -> NavLink:
    """Register a screen in the navigation (idempotent)."""
    if link not in _links:
        _links.append(link)
    return link


def navigation(user: object) -> list[tuple[str, str, list[NavEntry]]]:
    """``(area key, area label, entries)`` for every area that has something for ``user``."""
    is_staff = bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    entries: dict[str, list[tuple[int, NavEntry]]] = {key: [] for key in AREAS}
    for link in _links:
        if link.staff_only and not is_staff:
            continue
        entries[link.area].append(
            (link.order, NavEntry(str(link.label), reverse(link.url_name), link.url_name))
        )
    for rt in record_types():
        if rt.nav_area == "settings" and not is_staff:
            continue
        url = reverse("ui:list", kwargs={"key": rt.key})
        entries[rt.nav_area].append((50, NavEntry(rt.label_plural.capitalize(), url, rt.key)))
    return [
        (area, str(label), [e for _, e in sorted(entries[area], key=lambda p: p[0])])
        for area, label in AREAS.items()
        if entries[area]
    ]
