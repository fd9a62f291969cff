from django.db.models import Prefetch

from rapport.activities.api import ActivitySerializer
from rapport.activities.filtersets import ActivityFilterSet
from rapport.activities.models import Activity
from rapport.activities.selectors import activity_timeline
from rapport.activities.services import (
    activity_after_delete,
    activity_after_save,
    activity_prepare,
)
from rapport.framework.registry import RecordType, register
from rapport.framework.timeline import timeline_source
from rapport.identity.models import User

register(
    RecordType(
        key="activities",
        model=Activity,
        serializer=ActivitySerializer,
        filterset=ActivityFilterSet,
        search_fields=("subject",),
        list_columns=("kind", "subject", "due_at", "done", "owner"),
        ordering_fields=("due_at", "start_at", "subject", "kind"),
        default_ordering=("-created_at",),
        select_related=("related_type",),
        # Users have no default order: by id, as the list's page reader gives them.
        prefetch_related=(
            "tags",
            Prefetch("participant_users", queryset=User.objects.order_by("pk")),
            "participant_contacts",
        ),
        prepare=activity_prepare,
        after_save=activity_after_save,
        after_delete=activity_after_delete,
    )
)
timeline_source(activity_timeline)
