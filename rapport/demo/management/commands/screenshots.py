"""``rapport screenshots``: pictures of the main screens for the docs, taken with Debian's
chromium through Playwright from a running Rapport (``make demo``), at a desktop and a phone
viewport, in English and Chinese."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1366, "height": 850}},
    "phone": {
        "viewport": {"width": 375, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
    },
}
# (file stem, path, viewports, languages)
SHOTS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("dashboard", "/", ("desktop", "phone"), ("en", "zh-hans")),
    ("contacts", "/contacts/", ("desktop", "phone"), ("en", "zh-hans")),
    ("contact", "{contact}", ("desktop", "phone"), ("en", "zh-hans")),
    ("contact-form", "/contacts/new/", ("desktop",), ("en",)),
    ("board", "/opportunities/board/", ("desktop", "phone"), ("en", "zh-hans")),
    ("my-day", "/my-day/", ("desktop",), ("en",)),
    ("settings", "/settings/", ("desktop",), ("en",)),
    ("forecast-pipeline", "/forecasts/pipeline/", ("desktop", "phone"), ("en", "zh-hans")),
    ("forecast-bookings", "/forecasts/bookings/", ("desktop",), ("en", "zh-hans")),
    ("forecast-win-probability", "/forecasts/win-probability/", ("desktop",), ("en",)),
]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
        parser.add_argument(
            "--only", default="", help="comma-separated file stems to take (default: all)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Playwright is a development dependency: imported only when screenshots are taken.
        from playwright.sync_api import sync_playwright

        base: str = options["url"].rstrip("/")
        out: Path = options["out"]
        only = {stem for stem in options["only"].split(",") if stem}
        out.mkdir(parents=True, exist_ok=True)
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for viewport, settings in VIEWPORTS.items():
                for language in ("en", "zh-hans"):
                    context = browser.new_context(**settings)
                    page = context.new_page()
                    page.goto(f"{base}/login/")
                    page.fill("#id_username", options["username"])
                    page.fill("#id_password", options["password"])
                    page.click("button[type=submit]")
                    page.wait_for_url(re.compile(r".*/$"))
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": base}]
                    )
                    page.goto(f"{base}/contacts/")
                    first = page.locator(".record-table tbody a").first.get_attribute("href")
                    for stem, path, viewports, languages in SHOTS:
                        if viewport not in viewports or language not in languages:
                            continue
                        if only and stem not in only:
                            continue
                        page.goto(base + path.format(contact=first))
                        page.wait_for_load_state("networkidle")
                        page.wait_for_timeout(500)  # charts finish their animation
                        name = f"{stem}-{viewport}-{'zh' if language != 'en' else 'en'}.png"
                        page.screenshot(path=str(out / name))
                        self.stdout.write(str(out / name))
                    context.close()
            browser.close()
