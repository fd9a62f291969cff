from rapport.framework.registry import ChildSpec, RecordType, register
from rapport.opportunities.api import (
    CloseReasonSerializer,
    CompetitorSerializer,
    OpportunitySerializer,
    PipelineSerializer,
    StageSerializer,
    totals,
)
from rapport.opportunities.filtersets import (
    CloseReasonFilterSet,
    CompetitorFilterSet,
    OpportunityFilterSet,
    PipelineFilterSet,
    StageFilterSet,
)
from rapport.opportunities.models import (
    CloseReason,
    Competitor,
    Opportunity,
    OpportunityCompetitor,
    OpportunityContact,
    OpportunityLine,
    Pipeline,
    Stage,
)
from rapport.opportunities.services import (
    competitors_clean,
    opportunity_after_save,
    opportunity_before_delete,
    opportunity_prepare,
    stage_delete_check,
)
from rapport.opportunities.stages import stage_after_save, stage_prepare

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
        prepare=stage_prepare,
        after_save=stage_after_save,
        before_delete=stage_delete_check,
    )
)
register(
    RecordType(
        key="close-reasons",
        model=CloseReason,
        serializer=CloseReasonSerializer,
        filterset=CloseReasonFilterSet,
        search_fields=("name",),
        list_columns=("kind", "name", "active"),
        ordering_fields=("name", "kind"),
        default_ordering=("kind", "name"),
        is_config=True,
    )
)
register(
    RecordType(
        key="competitors",
        model=Competitor,
        serializer=CompetitorSerializer,
        filterset=CompetitorFilterSet,
        search_fields=("name",),
        list_columns=("name", "website"),
        ordering_fields=("name",),
        default_ordering=("name",),
        is_config=True,
        area="sales",
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
        prefetch_related=("tags", "contact_roles", "competitors", "lines", "stage_history"),
        children=(
            ChildSpec("contact_roles", OpportunityContact, "opportunity", ("contact", "role")),
            ChildSpec(
                "competitors",
                OpportunityCompetitor,
                "opportunity",
                ("competitor", "strengths", "weaknesses", "is_winner"),
                clean=competitors_clean,
            ),
            ChildSpec(
                "lines",
                OpportunityLine,
                "opportunity",
                ("product", "quantity", "unit_price", "discount_percent", "position"),
            ),
        ),
        prepare=opportunity_prepare,
        after_save=opportunity_after_save,
        before_delete=opportunity_before_delete,
        extra_actions=(totals,),
    )
)
