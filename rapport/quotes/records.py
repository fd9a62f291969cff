from django.utils.translation import gettext_lazy as _

from rapport.framework.registry import ChildSpec, RecordType, register
from rapport.framework.ui.hooks import RecordPanel, record_panel
from rapport.quotes.api import QUOTE_ACTIONS, QuoteSerializer
from rapport.quotes.document_api import DOCUMENT_ACTIONS
from rapport.quotes.filtersets import QuoteFilterSet
from rapport.quotes.models import LINE_FIELDS, Quote, QuoteLine
from rapport.quotes.panels import opportunity_quote_panel_context, quote_panel_context
from rapport.quotes.services import quote_after_save, quote_lines_clean, quote_prepare

register(
    RecordType(
        key="quotes",
        model=Quote,
        serializer=QuoteSerializer,
        filterset=QuoteFilterSet,
        search_fields=("number", "name", "account__name"),
        list_columns=(
            "number",
            "version",
            "name",
            "account",
            "status",
            "total",
            "currency",
            "valid_until",
            "owner",
        ),
        ordering_fields=("number", "name", "total", "valid_until", "created_at"),
        default_ordering=("-created_at", "-id"),
        select_related=("account",),
        prefetch_related=("tags", "lines"),
        children=(
            ChildSpec(
                "lines",
                QuoteLine,
                "quote",
                LINE_FIELDS,
                record_clean=quote_lines_clean,
            ),
        ),
        sections=(
            (
                _("Quote"),
                (
                    "number",
                    "version",
                    "name",
                    "status",
                    "opportunity",
                    "account",
                    "contact",
                    "currency",
                    "price_book",
                    "language",
                    "valid_until",
                ),
            ),
            (_("Totals"), ("subtotal", "discount_total", "tax_total", "total")),
            (_("Terms"), ("terms", "notes")),
            (
                _("Approval and answer"),
                (
                    "approved_by",
                    "approved_at",
                    "approval_note",
                    "sent_at",
                    "accepted_at",
                    "declined_at",
                    "decline_reason",
                    "previous_version",
                ),
            ),
            (
                _("Record"),
                ("owner", "team", "tags", "created_at", "created_by", "updated_at", "updated_by"),
            ),
        ),
        prepare=quote_prepare,
        after_save=quote_after_save,
        extra_actions=(*QUOTE_ACTIONS, *DOCUMENT_ACTIONS),
    )
)
record_panel(RecordPanel(("quotes",), "quotes/_panel.html", quote_panel_context, order=10))
record_panel(
    RecordPanel(
        ("opportunities",), "quotes/_opportunity_panel.html", opportunity_quote_panel_context
    )
)
