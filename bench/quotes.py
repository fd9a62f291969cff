"""``python -m bench.quotes``: time to render a 20-line quote PDF (WeasyPrint), in English and
in Simplified Chinese, on a small database of its own (a temporary SQLite file, migrated);
prints a table and writes it into docs/benchmarks.md between its markers (target: ≤ 1 s).

``--images`` also writes docs/quote-example.png and docs/quote-example-zh.png: the first page
of a realistic 20-line quote, rendered from the PDF with poppler's ``pdftoppm``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.database import RAPPORT, ROOT, database_url
from bench.docs import section_write

TARGET_SECONDS = 1.0
START, END = "<!-- bench:quotes -->", "<!-- /bench:quotes -->"
IMAGES = {
    "en": ROOT / "docs" / "quote-example.png",
    "zh-hans": ROOT / "docs" / "quote-example-zh.png",
}
BRANDING = {
    "RAPPORT_COMPANY_NAME": "Rapport Demo Ltd",
    "RAPPORT_COMPANY_ADDRESS": "1 Market Street\\nLondon EC1A 1AA\\nUnited Kingdom",
    "RAPPORT_BRAND_COLOUR": "#1d4ed8",
}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


Result = tuple[str, list[float], list[float]]  # name, wall-clock seconds, CPU seconds


def measure(renders: int, images: bool) -> list[Result]:
    """Runs inside the Django process set up on the temporary database."""
    import django

    django.setup()
    from rapport.identity.models import User
    from rapport.quotes.pdf import quote_pdf
    from rapport.quotes.tests.document_data import quote_with_lines

    owner = User.objects.create_user("bench-quotes", "sales@example.com", "x")
    owner.first_name, owner.last_name = "Alex", "Morgan"
    owner.save()
    results = []
    for language, label in (("en", "English"), ("zh-hans", "Simplified Chinese")):
        quote = quote_with_lines(owner, lines=20, language=language)
        for _ in range(2):  # warm-up: fonts, templates, stylesheet
            quote_pdf(quote)
        times, cpu = [], []
        for _ in range(renders):
            started, started_cpu = time.perf_counter(), time.process_time()
            pdf = quote_pdf(quote)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        results.append((f"20-line quote PDF, {label}", times, cpu))
        if images:
            _first_page_png(pdf, IMAGES[language])
    return results


def _first_page_png(pdf: bytes, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "quote.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(Path(tmp) / "page"),
            ],
            check=True,
        )
        target.write_bytes((Path(tmp) / "page.png").read_bytes())
    print(f"wrote {target.relative_to(ROOT)}")


def table(results: list[Result]) -> str:
    lines = [
        "| document | renders | median s | p95 s | median CPU s | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, times, cpu in results:
        p95 = _percentile(times, 95)
        verdict = "met" if p95 <= TARGET_SECONDS else "MISSED"
        lines.append(
            f"| {name} | {len(times)} | {statistics.median(times):.3f} | {p95:.3f} | "
            f"{statistics.median(cpu):.3f} | {verdict} (p95 ≤ {TARGET_SECONDS:.0f} s) |"
        )
    averages = os.getloadavg()
    load = ", ".join(f"{x:.1f}" for x in averages)
    cores = os.cpu_count() or 1
    note = f"\n\nMachine: {cores} cores, load average {load} at the end."
    if averages[0] > cores:
        note += (
            " The machine was shared while measuring (more runnable processes than cores): "
            "the wall-clock times include waiting for a CPU; the CPU time is what one render "
            "costs, and what its wall-clock time is on an idle core."
        )
    return "\n".join(lines) + note


def write_docs(report: str) -> None:
    section_write(
        START,
        END,
        f"Last run {dt.date.today().isoformat()}; `python -m bench.quotes`: "
        "one process, WeasyPrint from the quote's id to the PDF bytes (query, template, "
        "layout, fonts), 2 warm-up renders first.\n"
        "Example pages: [English](quote-example.png), [Chinese](quote-example-zh.png) "
        f"(`python -m bench.quotes --images`).\n\n{report}",
        heading="## Quote PDF",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quotes", description=__doc__)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--images", action="store_true", help="write docs/quote-example*.png")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        results = measure(args.renders, args.images)
        report = table(results)
        print(report)
        write_docs(report)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-quotes-") as tmp:
        env = {
            **os.environ,
            **BRANDING,
            "DATABASE_URL": database_url(Path(tmp) / "quotes.sqlite3"),
            "RAPPORT_VAR_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
        }
        subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
        command = [sys.executable, "-m", "bench.quotes", "--child", "--renders", str(args.renders)]
        if args.images:
            command.append("--images")
        return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
