from rapport.framework.registry import ChildSpec, RecordType, register
from rapport.opportunities.api import (
    OpportunitySerializer,
    PipelineSerializer,
    StageSerializer,
    totals,
)
from rapport.opportunities.filtersets import (
    OpportunityFilterSet,
    PipelineFilterSet,
    StageFilterSet,
)
from rapport.opportunities.models import Opportunity, OpportunityContact, Pipeline, Stage
from rapport.opportunities.services import (
    opportunity_after_save,
    opportunity_prepare,
    stage_delete_check,
)

register(
    RecordType(
        key="pipelines",
        model=Pipeline,
        serializer=PipelineSerializer,
        filterset=PipelineFilterSet,
        search_fields=("name",),
        list_columns=("name", "is_default"),
        ordering_fields=("name", "position"),
        default_ordering=("position",),
        is_config=True,
    )
)
register(
    RecordType(
        key="stages",
        model=Stage,
        serializer=StageSerializer,
        filterset=StageFilterSet,
        search_fields=("name",),
        list_columns=("pipeline", "name", "probability", "kind"),
        ordering_fields=("name", "position"),
        default_ordering=("position",),
        is_config=True,
        before_delete=stage_delete_check,
    )
)
register(
    RecordType(
        key="opportunities",
        model=Opportunity,
        serializer=OpportunitySerializer,
        filterset=OpportunityFilterSet,
        search_fields=("name", "account__name"),
        list_columns=(
            "name",
            "account",
            "stage",
            "amount",
            "currency",
            "expected_close_date",
            "owner",
        ),
        ordering_fields=("name", "amount", "expected_close_date", "probability"),
        default_ordering=("expected_close_date",),
        select_related=("account",),
        prefetch_related=("tags", "contact_roles", "stage_history"),
        children=(
            ChildSpec("contact_roles", OpportunityContact, "opportunity", ("contact", "role")),
        ),
        prepare=opportunity_prepare,
        after_save=opportunity_after_save,
        extra_actions=(totals,),
    )
)
