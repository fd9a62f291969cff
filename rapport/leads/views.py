"""The lead conversion screen, the lead page's "Conversion" panel, and the owner left empty
on a new lead's form while assignment rules are active."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.accounts.models import Account
from rapport.assignment.selectors import rules_exist
from rapport.contacts.models import Contact
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import restricted
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.ui.hooks import RecordPanel, on_create_form, record_panel
from rapport.framework.ui.record_page import can, record_or_404
from rapport.leads.conversion import OpportunityInput, lead_convert
from rapport.leads.forms import NEW_ACCOUNT, ConvertForm
from rapport.leads.models import Lead
from rapport.leads.selectors import lead_account_candidates
from rapport.opportunities.models import Opportunity


def _visible(model: Any, user: Any, pk: int | None) -> Any:
    return None if pk is None else restricted(model, user, "view").filter(pk=pk).first()


def lead_conversion_panel(
    *, user: Any, record_type: RecordType, record: Lead
) -> dict[str, Any] | None:
    """What the lead became (the records the user may see), or the way to convert it, and
    its first-response times."""
    converted = record.converted_at is not None
    return {
        "lead": record,
        "converted": converted,
        "account": _visible(Account, user, record.converted_account_id) if converted else None,
        "contact": _visible(Contact, user, record.converted_contact_id) if converted else None,
        "opportunity": _visible(Opportunity, user, record.converted_opportunity_id)
        if converted
        else None,
        "can_convert": not converted and can(record_type, user, "change", record),
    }


record_panel(RecordPanel(("leads",), "leads/_conversion_panel.html", lead_conversion_panel))


@on_create_form
def lead_form_owner_empty(*, user: Any, record_type: RecordType, initial: dict[str, Any]) -> None:
    """A new lead's owner is left empty while assignment rules are active: empty means "let
    the rules choose", which a pre-filled owner would silently override."""
    if record_type.key == "leads" and rules_exist():
        initial.pop("owner", None)


def _form_errors(form: ConvertForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert a lead: join an existing account (the likely matches are offered) or create
    one, optionally with an opportunity; then show the new contact."""
    rt = get_record_type("leads")
    lead = record_or_404(rt, request, pk)
    if not can(rt, request.user, "change", lead):
        return render(request, "ui/denied.html", {"rt": rt, "record": lead}, status=403)
    candidates = lead_account_candidates(user=request.user, lead=lead)
    form = ConvertForm(
        request.POST or None, candidates=candidates, company=lead.company or lead.display_name
    )
    status = 200
    if request.method == "POST" and lead.converted_at is None and form.is_valid():
        data = form.cleaned_data
        account = None
        if data["account"] != NEW_ACCOUNT:
            account = restricted(Account, request.user, "view").filter(pk=data["account"]).first()
        try:
            result = lead_convert(
                actor=actor_from_request(request, Channel.UI),
                lead=lead,
                account=account,
                create_opportunity=data["create_opportunity"],
                opportunity=OpportunityInput(
                    name=data["opportunity_name"],
                    amount=data["amount"],
                    currency=data["currency"].upper(),
                    pipeline=data["pipeline"],
                    close_date=data["close_date"],
                ),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except RecordNotFound:
            raise Http404(_("No such record, or you may not see it.")) from None
        except RecordPermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Lead converted: %(name)s.") % {"name": result.contact.display_name}
            )
            return redirect("ui:detail", key="contacts", pk=result.contact.pk)
        status = 400
    elif request.method == "POST":
        status = 400
    context = {"rt": rt, "lead": lead, "form": form, "candidates": candidates}
    return render(request, "leads/convert.html", context, status=status)
