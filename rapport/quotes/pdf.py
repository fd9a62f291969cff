"""The quote document: a branded PDF (WeasyPrint) in the customer's language.

``quote_document(quote)`` gathers what the customer reads (lines, totals, validity, terms) as
text formatted in the active language; the PDF and the public quote page both show it.
``quote_pdf(quote)`` renders ``quotes/pdf.html`` with ``rapport/quote-pdf.css`` inside
``translation.override(quote.language)``. Branding comes from settings (environment):
``RAPPORT_COMPANY_NAME``, ``RAPPORT_COMPANY_ADDRESS``, ``RAPPORT_BRAND_COLOUR``,
``RAPPORT_LOGO_PATH``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from rapport.framework.numbers import number_text
from rapport.quotes.models import Quote, QuoteLine

STYLESHEET = "rapport/quote-pdf.css"
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_DEFAULT_COLOUR = "#1d4ed8"


@dataclass
class DocumentLine:
    position: int
    product: str
    sku: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount: str
    tax: str
    amount: str


@dataclass
class QuoteDocument:
    """A quote as the customer reads it, every value already formatted in the active
    language."""

    title: str
    number: str
    name: str
    currency: str
    issued_on: str
    valid_until: str
    account: str
    account_address: list[str]
    contact: str
    prepared_by: str
    lines: list[DocumentLine]
    subtotal: str
    discount_total: str
    tax_total: str
    total: str
    has_discount: bool
    terms: str
    notes: str
    labels: dict[str, str] = field(default_factory=dict)


def _label(model: type[Any], name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _labels() -> dict[str, str]:
    """Column and block labels in the active language (mostly the fields' own names, so the
    document says what the screens say)."""
    return {
        "position": "#",
        "product": _label(QuoteLine, "product"),
        "description": _label(QuoteLine, "description"),
        "quantity": _label(QuoteLine, "quantity"),
        "unit_price": _label(QuoteLine, "unit_price"),
        "discount": _label(Quote, "discount_total"),
        "tax": _label(QuoteLine, "tax_percent"),
        "tax_total": _label(Quote, "tax_total"),
        "amount": _label(QuoteLine, "net_amount"),
        "subtotal": _label(Quote, "subtotal"),
        "total": _label(Quote, "total"),
        "valid_until": _label(Quote, "valid_until"),
        "terms": _label(Quote, "terms"),
        "notes": _label(Quote, "notes"),
        "number": _label(Quote, "number"),
        "date": _("Date"),
        "recipient": _label(Quote, "contact"),
        "account": _label(Quote, "account"),
        "currency": _label(Quote, "currency"),
        "prepared_by": _("Prepared by"),
    }


def _money(value: Decimal | None, places: int) -> str:
    return number_text(Decimal(value or 0), places)


def _quantity(value: Decimal) -> str:
    # Quantities are stored with four places; show only the ones that say something.
    return number_text(value.normalize())


def _date(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _address(quote: Quote) -> list[str]:
    account = quote.account
    city = " ".join(p for p in (account.billing_postal_code, account.billing_city) if p)
    country = getattr(account.billing_country, "name", "") if account.billing_country else ""
    return [p for p in (account.billing_street, city, account.billing_region, str(country)) if p]


def _lines(quote: Quote, places: int) -> list[DocumentLine]:
    rows = []
    for index, line in enumerate(quote.lines.all(), start=1):
        product = line.product
        if line.discount_percent:
            discount = f"{number_text(line.discount_percent.normalize())} %"
        elif line.discount_amount:
            discount = _money(line.discount_amount, places)
        else:
            discount = ""
        rows.append(
            DocumentLine(
                position=index,
                product=product.name if product else "",
                sku=product.sku if product else "",
                description=line.description,
                quantity=_quantity(line.quantity),
                unit=str(product.get_unit_display()) if product else "",
                unit_price=_money(line.unit_price, places),
                discount=discount,
                tax=f"{number_text(line.tax_percent.normalize())} %" if line.tax_percent else "",
                amount=_money(line.net_amount, places),
            )
        )
    return rows


def quote_for_document(pk: int) -> Quote:
    """The quote with everything the document shows, in a fixed number of queries."""
    return (
        Quote.objects.select_related("account", "contact", "currency", "owner")
        .prefetch_related(
            Prefetch(
                "lines", QuoteLine.objects.select_related("product").order_by("position", "id")
            )
        )
        .get(pk=pk)
    )


def quote_document(quote: Quote) -> QuoteDocument:
    """The customer's view of ``quote`` in the active language."""
    places = quote.currency.decimals
    owner = quote.owner
    return QuoteDocument(
        title=str(capfirst(Quote._meta.verbose_name)),
        number=f"{quote.number}-{quote.version}" if quote.version > 1 else quote.number,
        name=quote.name,
        currency=quote.currency.code,
        issued_on=_date(timezone.localtime(quote.sent_at or timezone.now()).date()),
        valid_until=_date(quote.valid_until),
        account=quote.account.name,
        account_address=_address(quote),
        contact=str(quote.contact) if quote.contact else "",
        prepared_by=(owner.get_full_name() or owner.get_username()) if owner else "",
        lines=_lines(quote, places),
        subtotal=_money(quote.subtotal, places),
        discount_total=_money(quote.discount_total, places),
        tax_total=_money(quote.tax_total, places),
        total=_money(quote.total, places),
        has_discount=bool(quote.discount_total),
        terms=quote.terms,
        notes=quote.notes,
        labels=_labels(),
    )


@dataclass(frozen=True)
class Branding:
    company_name: str
    company_address: list[str]
    colour: str
    logo_uri: str


def branding() -> Branding:
    """The seller's name, address, colour and logo, from settings. A colour that is not a
    hex colour falls back to the default (it is written into a stylesheet)."""
    colour = settings.RAPPORT_BRAND_COLOUR.strip()
    logo = Path(settings.RAPPORT_LOGO_PATH) if settings.RAPPORT_LOGO_PATH else None
    address = settings.RAPPORT_COMPANY_ADDRESS.replace("\\n", "\n")
    return Branding(
        company_name=settings.RAPPORT_COMPANY_NAME,
        company_address=[p.strip() for p in address.splitlines() if p.strip()],
        colour=colour if _COLOUR.fullmatch(colour) else _DEFAULT_COLOUR,
        logo_uri=logo.resolve().as_uri() if logo and logo.is_file() else "",
    )


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_css(brand: Branding, quote: Quote) -> str:
    """What the stylesheet file cannot know: the brand colour and the page footer in the
    customer's language ("Page 1 of 2")."""
    marker = "\x00"
    before, middle, after = (
        _("Page %(page)s of %(pages)s") % {"page": marker, "pages": marker}
    ).split(marker)
    footer = f"{quote.number} v{quote.version}"
    return (
        f":root {{ --brand: {brand.colour}; }}\n"
        "@page { @bottom-right { content: "
        f"{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) "
        f"{_css_string(after)}; }}\n"
        f"  @bottom-left {{ content: {_css_string(footer)}; }} }}\n"
    )


_local = threading.local()


def _fonts_and_stylesheet() -> tuple[FontConfiguration, CSS]:
    """The font configuration and the parsed stylesheet file, made once per thread (the
    stylesheet has no @font-face rules, so one font configuration serves every document;
    Pango objects are not shared between threads)."""
    cached = getattr(_local, "fonts_and_stylesheet", None)
    if cached is None:
        path = finders.find(STYLESHEET)
        if not path:
            raise FileNotFoundError(STYLESHEET)
        fonts = FontConfiguration()
        cached = (fonts, CSS(filename=str(path), font_config=fonts))
        _local.fonts_and_stylesheet = cached
    return cast(tuple[FontConfiguration, CSS], cached)


class _LogoOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Loads only the logo: the document holds text typed by users, and nothing in it may
    make the renderer read other files or call other servers."""

    def __init__(self, allowed: set[str]) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.allowed = allowed

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url not in self.allowed:
            raise ValueError(f"not loaded in a quote document: {url}")
        return super().fetch(url, headers)


def quote_pdf(quote: Quote) -> bytes:
    """The PDF of ``quote`` in its language (``quote.language``)."""
    quote = quote_for_document(quote.pk)
    brand = branding()
    with translation.override(quote.language):
        document = quote_document(quote)
        html = render_to_string(
            "quotes/pdf.html", {"doc": document, "brand": brand, "language": quote.language}
        )
        page_css = _page_css(brand, quote)
    fonts, stylesheet = _fonts_and_stylesheet()
    stylesheets = [stylesheet, CSS(string=page_css, font_config=fonts)]
    allowed = {brand.logo_uri} if brand.logo_uri else set()
    pdf: bytes = HTML(string=html, url_fetcher=_LogoOnlyFetcher(allowed), base_url="/").write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
    return pdf


def quote_pdf_filename(quote: Quote) -> str:
    return f"{quote.number}-v{quote.version}.pdf"
