# ruff: noqa: RUF001  (Chinese punctuation and the minus sign are meant)
"""Quotes with realistic lines for the document tests and the quote benchmark.

The amounts are written the way the quote services compute them (net = quantity x unit price
- discount, tax on the net, rounded to the currency's places), so a document shows consistent
numbers without depending on the pricing module.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from rapport.accounts.models import Account
from rapport.catalog.models import Product, TaxRate
from rapport.contacts.models import Contact, ContactEmail
from rapport.framework.testing.factories import currency
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Pipeline, Stage
from rapport.quotes.choices import QuoteLanguage, QuoteStatus
from rapport.quotes.models import Quote, QuoteLine

CENT = Decimal("0.01")

PRODUCTS_EN = [
    ("Rapport Cloud — Professional", "seat", "Annual subscription, per named user"),
    ("Rapport Cloud — Enterprise", "seat", "Annual subscription with SSO and audit log"),
    ("Onboarding workshop", "day", "On-site workshop for the sales team, up to 12 people"),
    ("Data migration", "hour", "Import of accounts, contacts and open opportunities"),
    ("Premium support", "year", "Four-hour response time, named support engineer"),
    ("Sandbox environment", "each", "A copy of production for testing integrations"),
    ("API add-on", "year", "Raised API limits and webhooks"),
    ("Forecasting module", "license", "Bookings and win-probability forecasts"),
]
PRODUCTS_ZH = [
    ("Rapport 云 — 专业版", "seat", "年度订阅，按用户计费"),
    ("Rapport 云 — 企业版", "seat", "年度订阅，含单点登录和审计日志"),
    ("上线培训", "day", "销售团队现场培训，最多 12 人"),
    ("数据迁移", "hour", "导入客户、联系人和进行中的商机"),
    ("高级支持", "year", "四小时响应，专属支持工程师"),
    ("测试环境", "each", "用于集成测试的生产环境副本"),
    ("API 扩展包", "year", "更高的 API 限额和 Webhook"),
    ("预测模块", "license", "订单预测和赢单概率预测"),
]


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def sales_setup(owner: Any, *, chinese: bool = False, email: str = "buyer@example.com") -> Any:
    """An account with a contact (with an email address) and an open opportunity in a
    pipeline that has a won stage; returns the opportunity."""
    pipeline = Pipeline.objects.create(name=f"Sales {Pipeline.objects.count() + 1}")
    open_stage = Stage.objects.create(pipeline=pipeline, name="Proposal", position=1)
    Stage.objects.create(
        pipeline=pipeline, name="Won", position=2, probability=100, kind=StageKind.WON
    )
    Stage.objects.create(
        pipeline=pipeline, name="Lost", position=3, probability=0, kind=StageKind.LOST
    )
    account = Account.objects.create(
        name="上海星辰科技有限公司" if chinese else "Northwind Traders Ltd",
        billing_street="浦东新区世纪大道 100 号" if chinese else "12 Harbour Street",
        billing_city="上海" if chinese else "Bristol",
        billing_postal_code="200120" if chinese else "BS1 4RN",
        billing_country="CN" if chinese else "GB",
        owner=owner,
        created_by=owner,
        updated_by=owner,
    )
    contact = Contact.objects.create(
        given_name="伟" if chinese else "Jane",
        family_name="王" if chinese else "Doe",
        display_name="王伟" if chinese else "Jane Doe",
        owner=owner,
        created_by=owner,
        updated_by=owner,
    )
    ContactEmail.objects.create(contact=contact, email=email, is_primary=True)
    opportunity = Opportunity.objects.create(
        name="CRM roll-out",
        account=account,
        primary_contact=contact,
        pipeline=pipeline,
        stage=open_stage,
        amount=Decimal("50000"),
        currency=currency("USD"),
        probability=60,
        expected_close_date=timezone.localdate() + dt.timedelta(days=30),
        owner=owner,
        created_by=owner,
        updated_by=owner,
    )
    return opportunity


def quote_with_lines(
    owner: Any,
    *,
    lines: int = 3,
    language: str = QuoteLanguage.ENGLISH,
    status: str = QuoteStatus.SENT,
    valid_until: dt.date | None = None,
    opportunity: Opportunity | None = None,
    number: str = "",
) -> Quote:
    """A quote of ``lines`` priced lines (products in the quote's language), with totals."""
    chinese = language == QuoteLanguage.CHINESE
    opportunity = opportunity or sales_setup(owner, chinese=chinese)
    usd = currency("USD")
    vat, _ = TaxRate.objects.get_or_create(name="VAT 20", defaults={"rate": Decimal("20")})
    quote = Quote.objects.create(
        number=number or f"Q-2026-{Quote.objects.count() + 1:05d}",
        name="CRM 部署方案" if chinese else "CRM roll-out, first year",
        opportunity=opportunity,
        account=opportunity.account,
        contact=opportunity.primary_contact,
        status=status,
        currency=usd,
        language=language,
        valid_until=valid_until or timezone.localdate() + dt.timedelta(days=30),
        terms=(
            "付款期限：开票后 30 天内。价格不含运费。"
            if chinese
            else "Payment within 30 days of invoice. Prices exclude travel expenses."
        ),
        sent_at=timezone.now() if status == QuoteStatus.SENT else None,
        owner=owner,
        created_by=owner,
        updated_by=owner,
    )
    catalogue = PRODUCTS_ZH if chinese else PRODUCTS_EN
    subtotal = discount_total = tax_total = Decimal(0)
    for index in range(lines):
        name, unit, description = catalogue[index % len(catalogue)]
        sku = f"SKU-{language}-{index % len(catalogue):03d}"
        product, _ = Product.objects.get_or_create(
            sku=sku, defaults={"name": name, "unit": unit, "tax_rate": vat}
        )
        quantity = Decimal(index % 5 + 1)
        unit_price = Decimal("120.00") + Decimal(index * 35)
        gross = _round(quantity * unit_price)
        percent = Decimal(10) if index % 3 == 0 else None
        discount = _round(gross * percent / 100) if percent else Decimal(0)
        net = gross - discount
        tax = _round(net * vat.rate / 100)
        QuoteLine.objects.create(
            quote=quote,
            position=index + 1,
            product=product,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            currency=usd,
            discount_percent=percent,
            tax_rate=vat,
            tax_percent=vat.rate,
            net_amount=net,
            tax_amount=tax,
            total_amount=net + tax,
        )
        subtotal += gross
        discount_total += discount
        tax_total += tax
    quote.subtotal = subtotal
    quote.discount_total = discount_total
    quote.tax_total = tax_total
    quote.total = subtotal - discount_total + tax_total
    quote.save()
    return quote
