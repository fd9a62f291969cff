"""Mapping templates of imports: save a job's column mapping under a name, apply it to the
next file, delete it. Each user sees and changes their own templates; administrators all."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from rapport.framework.exceptions import RecordNotFound
from rapport.framework.registry import get_record_type
from rapport.imports.choices import IMPORTABLE_TYPES
from rapport.imports.mapping import import_fields
from rapport.imports.models import ImportJob, ImportMappingTemplate
from rapport.imports.services import import_update

NAME_MAX = ImportMappingTemplate._meta.get_field("name").max_length or 100


def import_templates_for(*, user: Any, record_type: str) -> models.QuerySet[ImportMappingTemplate]:
    """The templates ``user`` may apply to a file of ``record_type``."""
    templates = ImportMappingTemplate.objects.filter(record_type=record_type)
    return templates if user.is_superuser else templates.filter(owner=user)


def import_template_get(*, user: Any, pk: int) -> ImportMappingTemplate:
    """One of ``user``'s templates; RecordNotFound for a missing one and for someone else's."""
    templates = ImportMappingTemplate.objects.all()
    if not user.is_superuser:
        templates = templates.filter(owner=user)
    template = templates.filter(pk=pk).first()
    if template is None:
        raise RecordNotFound()
    return template


def import_template_save(
    *, user: Any, name: str, record_type: str, mapping: dict[str, str]
) -> ImportMappingTemplate:
    """Save ``mapping`` as ``user``'s template ``name`` for ``record_type``; a template of the
    same user, type and name is replaced (saving again is how a template is edited)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the template a name.")]}, code="required")
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": [_("The name is longer than %(max)d characters.") % {"max": NAME_MAX}]},
            code="max_length",
        )
    if record_type not in IMPORTABLE_TYPES:
        raise ValidationError(
            {
                "record_type": [
                    _("Choose one of: %(types)s.") % {"types": ", ".join(IMPORTABLE_TYPES)}
                ]
            },
            code="invalid_choice",
        )
    fields = import_fields(get_record_type(record_type))
    unknown = sorted({v for v in mapping.values() if v and v not in fields})
    if unknown:
        raise ValidationError(
            {
                "mapping": [
                    _("Not fields that can be imported: %(fields)s.")
                    % {"fields": ", ".join(unknown)}
                ]
            },
            code="invalid_mapping",
        )
    template, _created = ImportMappingTemplate.objects.update_or_create(
        owner=user,
        record_type=record_type,
        name=name,
        defaults={"mapping": {str(k): str(v or "") for k, v in mapping.items()}},
    )
    return template


def import_template_delete(*, user: Any, template: ImportMappingTemplate) -> None:
    """Delete ``template``; only its owner or an administrator may."""
    if not user.is_superuser and template.owner_id != user.pk:
        raise RecordNotFound()
    template.delete()


def import_template_mapping(
    *, template: ImportMappingTemplate, headers: list[str]
) -> dict[str, str]:
    """The part of ``template``'s mapping that applies to a file with ``headers``: the columns
    whose header the template knows, and only to fields that can still be imported (a custom
    field may have been removed since the template was saved)."""
    fields = import_fields(get_record_type(template.record_type))
    return {
        header: template.mapping[header]
        for header in headers
        if header in template.mapping
        and (not template.mapping[header] or template.mapping[header] in fields)
    }


def import_template_apply(
    *, job: ImportJob, template: ImportMappingTemplate
) -> tuple[ImportJob, int]:
    """Map ``job``'s columns that ``template`` knows, through the import's own update service
    (checks and a new preview included); returns the job and how many columns were mapped."""
    if template.record_type != job.record_type:
        raise ValidationError(
            _("This template is for another record type."), code="wrong_record_type"
        )
    mapping = import_template_mapping(template=template, headers=list(job.headers))
    if not mapping:
        return job, 0
    return import_update(job=job, mapping=mapping), len(mapping)
