from rapport.dedupe.api import duplicates
from rapport.framework.registry import RecordType, register
from rapport.framework.timeline import timeline_source
from rapport.leads.api import LeadSerializer, convert
from rapport.leads.filtersets import LeadFilterSet
from rapport.leads.models import Lead
from rapport.leads.quality import LEAD_CHECKS
from rapport.leads.selectors import lead_conversion_timeline
from rapport.leads.services import lead_merge_related, lead_prepare
from rapport.merges.api import merge
from rapport.privacy.api import PERSON_ACTIONS

register(
    RecordType(
        key="leads",
        model=Lead,
        serializer=LeadSerializer,
        filterset=LeadFilterSet,
        search_fields=("display_name", "email", "phone_e164", "company"),
        list_columns=(
            "display_name",
            "company",
            "status",
            "rating",
            "rule_score",
            "learned_score",
            "owner",
        ),
        ordering_fields=("display_name", "company", "status", "rating"),
        default_ordering=("-created_at",),
        prefetch_related=("tags",),
        prepare=lead_prepare,
        extra_actions=(duplicates, merge, convert, *PERSON_ACTIONS),
        merge_related=lead_merge_related,
        quality_checks=LEAD_CHECKS,
    )
)
timeline_source(lead_conversion_timeline)
