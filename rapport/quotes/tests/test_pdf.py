# ruff: noqa: RUF001  (Chinese punctuation and the minus sign are meant)
"""The quote PDF: produced, readable, in the customer's language, long quotes paginated."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from rapport.framework.numbers import number_text
from rapport.quotes.choices import QuoteLanguage
from rapport.quotes.pdf import quote_pdf
from rapport.quotes.tests.document_data import quote_with_lines

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text of a PDF as poppler's pdftotext reads it (layout kept: one table row a line)."""
    path = tmp_path / "quote.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    line = next(row for row in info.stdout.splitlines() if row.startswith("Pages:"))
    return int(line.split()[1])


def page_text(pdf: bytes, tmp_path: Path, page: int) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def test_pdf_shows_lines_totals_validity_and_branding(personas, settings, tmp_path):
    # given a sent English quote of three lines and the seller's branding
    settings.RAPPORT_COMPANY_NAME = "Acme Widgets GmbH"
    settings.RAPPORT_COMPANY_ADDRESS = "Hafenstrasse 1\\n20457 Hamburg"
    quote = quote_with_lines(personas.owner, lines=3)

    # when its PDF is rendered
    pdf = quote_pdf(quote)

    # then it is a one-page PDF whose text has the seller, the lines, the totals and validity
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf, tmp_path) == 1
    text = pdf_text(pdf, tmp_path)
    assert "Acme Widgets GmbH" in text
    assert "20457 Hamburg" in text
    assert quote.number in text
    assert "Northwind Traders Ltd" in text
    for name in ("Rapport Cloud — Professional", "Onboarding workshop"):
        assert name in text
    with_places = {
        "subtotal": number_text(quote.subtotal, 2),
        "discount": number_text(quote.discount_total, 2),
        "tax": number_text(quote.tax_total, 2),
        "total": number_text(quote.total, 2),
    }
    assert with_places == {
        "subtotal": "1,000.00",
        "discount": "12.00",
        "tax": "197.60",
        "total": "1,185.60",
    }
    for label, amount in (
        ("Subtotal", "1,000.00"),
        ("Discount", "−12.00"),
        ("Tax", "197.60"),
        ("Total (USD)", "1,185.60"),
    ):
        assert any(label in row and row.rstrip().endswith(amount) for row in text.splitlines())
    assert "Valid until" in text
    assert "Payment within 30 days of invoice." in text
    assert "Page 1 of 1" in text


def test_chinese_quote_pdf_has_chinese_labels_names_and_numbers(personas, tmp_path):
    # given a quote in Simplified Chinese
    quote = quote_with_lines(personas.owner, lines=3, language=QuoteLanguage.CHINESE)

    # when its PDF is rendered
    pdf = quote_pdf(quote)

    # then the labels, the customer and the products are Chinese text (the CJK font is
    # embedded: pdftotext can read the characters back)
    text = pdf_text(pdf, tmp_path)
    for label in ("报价单", "数量", "单价", "小计", "总计", "有效期至", "条款和条件"):
        assert label in text
    assert "上海星辰科技有限公司" in text
    assert "上线培训" in text
    assert "付款期限：开票后 30 天内。" in text
    assert number_text(quote.total, 2) == "1,185.60"
    assert "1,185.60" in text
    # the date in the Chinese format
    assert f"{quote.valid_until.year}年{quote.valid_until.month}月{quote.valid_until.day}日" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "quote.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert "Noto-Sans-CJK-SC" in fonts


def test_long_quote_breaks_across_pages_with_the_table_header_on_each(personas, tmp_path):
    # given a quote of 60 lines
    quote = quote_with_lines(personas.owner, lines=60)

    # when its PDF is rendered
    pdf = quote_pdf(quote)

    # then it has several pages, each numbered, and each page with lines repeats the header
    # row of the lines table
    pages = page_count(pdf, tmp_path)
    texts = [page_text(pdf, tmp_path, page) for page in range(1, pages + 1)]
    with_lines = [text for text in texts if "SKU-en-" in text]
    assert len(with_lines) >= 2
    assert all("Unit price" in text for text in with_lines)
    for page, text in enumerate(texts, start=1):
        assert f"Page {page} of {pages}" in text
    # every line is there once
    assert sum(text.count("SKU-en-") for text in texts) == 60
    # and the totals come once, after the last line
    assert sum(text.count("Total (USD)") for text in texts) == 1
    assert "Total (USD)" in with_lines[-1]


def test_logo_is_embedded_and_a_bad_brand_colour_is_ignored(personas, settings, tmp_path):
    # given a logo file and a colour that is not a colour (it would end up in a stylesheet)
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (29, 78, 216)).save(logo)
    settings.RAPPORT_LOGO_PATH = str(logo)
    settings.RAPPORT_BRAND_COLOUR = "red; } html { display: none"
    quote = quote_with_lines(personas.owner, lines=1)

    # when its PDF is rendered
    pdf = quote_pdf(quote)

    # then the logo is an image of the PDF, and the text still shows (default colour used)
    (tmp_path / "logo.pdf").write_bytes(pdf)
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "logo.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert len(images.strip().splitlines()) == 3  # two header rows and the logo
    assert quote.number in pdf_text(pdf, tmp_path)


def test_user_text_cannot_load_files_into_the_pdf(personas, tmp_path):
    # given a quote whose terms try to reference a local file as HTML
    quote = quote_with_lines(personas.owner, lines=1)
    quote.terms = '<img src="file:///etc/hostname"> Terms <b>apply</b>'
    quote.save()

    # when its PDF is rendered
    pdf = quote_pdf(quote)

    # then the text is shown as typed, and no image was loaded
    text = pdf_text(pdf, tmp_path)
    assert '<img src="file:///etc/hostname"> Terms <b>apply</b>' in text
    (tmp_path / "x.pdf").write_bytes(pdf)
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "x.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) == 2
