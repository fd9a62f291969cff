import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from rapport.activities.models import Activity
from rapport.framework.filtersets import RecordFilterSet, field_lookups
from rapport.framework.registry import get_record_type


class ActivityFilterSet(RecordFilterSet):
    related_to = django_filters.CharFilter(
        method="filter_related_to", label="related record as <type>:<id>"
    )

    class Meta:
        model = Activity
        fields = {
            **field_lookups(Activity, exclude=("related_type",)),
            "participant_contacts": ["exact"],
            "participant_users": ["exact"],
        }

    def filter_related_to(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Activity]:
        key, _sep, pk = value.partition(":")
        try:
            model = get_record_type(key).model
        except KeyError:
            return queryset.none()
        if not pk.isdigit():
            return queryset.none()
        return queryset.filter(
            related_type=ContentType.objects.get_for_model(model), related_id=int(pk)
        )
