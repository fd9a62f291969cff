"""Record-type declaration of web forms: configuration, listed under Marketing."""

from rapport.framework.filtersets import LeanFilterSet, field_lookups
from rapport.framework.registry import RecordType, register
from rapport.webforms.api import WebFormSerializer
from rapport.webforms.models import WebForm


class WebFormFilterSet(LeanFilterSet):
    class Meta:
        model = WebForm
        fields = field_lookups(WebForm)


register(
    RecordType(
        key="web-forms",
        model=WebForm,
        serializer=WebFormSerializer,
        filterset=WebFormFilterSet,
        search_fields=("name", "slug"),
        list_columns=("name", "slug", "active", "lead_owner"),
        ordering_fields=("name", "slug"),
        default_ordering=("name", "id"),
        is_config=True,
        area="marketing",
    )
)
