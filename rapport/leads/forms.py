"""The form of the lead conversion screen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.leads.selectors import AccountCandidate
from rapport.opportunities.models import Pipeline

NEW_ACCOUNT = "new"


class ConvertForm(forms.Form):
    account = forms.ChoiceField(label=_("Account"), widget=forms.RadioSelect)
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False)
    opportunity_name = forms.CharField(
        label=_("Opportunity name"),
        required=False,
        max_length=200,
        help_text=_("Empty: the account's name."),
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=18, decimal_places=2, min_value=0
    )
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("Empty: the base currency.")
    )
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"),
        queryset=Pipeline.objects.order_by("position", "name"),
        required=False,
        empty_label=_("The default pipeline"),
    )
    close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, candidates: list[AccountCandidate], company: str, **kw: Any):
        super().__init__(*args, **kw)
        new_label = (
            _("A new account: %(name)s") % {"name": company} if company else _("A new account")
        )
        choices = [
            (str(c.account.pk), f"{c.account.name} ({c.reasons})" if c.reasons else c.account.name)
            for c in candidates
        ]
        account = self.fields["account"]
        assert isinstance(account, forms.ChoiceField)
        account.choices = [*choices, (NEW_ACCOUNT, new_label)]
        account.initial = choices[0][0] if choices else NEW_ACCOUNT
