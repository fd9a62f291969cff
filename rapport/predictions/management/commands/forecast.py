"""``rapport forecast <subcommand>``: the forecasts from the command line.

* ``bookings [--from-csv FILE --date-column D --value-column V] [--horizon N] [--json]``:
  the monthly bookings forecast of the live database, or of any monthly series in a CSV
  file, with its 80 % / 95 % intervals and the rolling-origin backtest against seasonal
  naive.
* ``rollup``: rebuild the pipeline forecast rollup (``rapport.forecasts``).

Each subcommand is a ``Subcommand`` in ``SUBCOMMANDS``: add one there (its arguments and its
``run``) and it gets its own ``--help``. Bad input exits with code 2 and a message naming the
column, row or option, without a traceback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from rapport.analytics import bookings
from rapport.forecasts.rollup import rollup_rebuild
from rapport.predictions.bookings import bookings_forecast

BAD_INPUT = 2


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[CommandParser], None]
    run: Callable[[BaseCommand, dict[str, Any]], None]


# --- bookings ---------------------------------------------------------------------------------


def _bookings_arguments(parser: CommandParser) -> None:
    parser.add_argument("--from-csv", metavar="FILE", help="Forecast a monthly series in a CSV.")
    parser.add_argument("--date-column", metavar="D", help="The CSV column with the month.")
    parser.add_argument("--value-column", metavar="V", help="The CSV column with the value.")
    parser.add_argument("--horizon", metavar="N", default="12", help="Months ahead (1-60).")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of tables.")


def _horizon(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 60:
        raise _bad(_("--horizon must be a whole number of months from 1 to 60, not %r") % raw)
    return value


def _from_csv(options: dict[str, Any], horizon: int) -> dict[str, Any]:
    path = Path(options["from_csv"])
    for option in ("date_column", "value_column"):
        if not options.get(option):
            raise _bad(
                _("--%(option)s is required with --from-csv") % {"option": option.replace("_", "-")}
            )
    if not path.is_file():
        raise _bad(_("--from-csv: no such file: %s") % path)
    try:
        series = bookings.read_monthly_csv(path, options["date_column"], options["value_column"])
        result = bookings.forecast(series, horizon=horizon)
    except bookings.SeriesError as exc:
        raise _bad(f"{path}: {exc}") from None
    out = result.as_dict()
    out.update(available=True, message="", source=str(path), horizon=horizon, currency=None)
    return out


def _number(value: float | None, places: int = 1) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def _bookings_text(data: dict[str, Any]) -> str:
    if not data["available"]:
        return str(data["message"])
    unit = f" ({data['currency']})" if data.get("currency") else ""
    lines = [
        _("Bookings forecast%(unit)s: %(model)s, %(horizon)s months")
        % {"unit": unit, "model": data["model"], "horizon": data["horizon"]},
        *data["notes"],
        "",
        f"{_('Month'):<8} {_('Forecast'):>14} {_('80% low'):>14} {_('80% high'):>14} "
        f"{_('95% low'):>14} {_('95% high'):>14}",
    ]
    for p in data["forecast"]:
        lines.append(
            f"{p['month']:<8} {_number(p['mean']):>14} {_number(p['lower_80']):>14} "
            f"{_number(p['upper_80']):>14} {_number(p['lower_95']):>14} "
            f"{_number(p['upper_95']):>14}"
        )
    backtest = data["backtest"]
    lines.append("")
    if backtest is None:
        lines.append(_("Backtest: the series is too short."))
        return "\n".join(lines)
    lines += [
        _("Backtest: rolling origin, %(origins)s origins, %(h)s months ahead")
        % {"origins": backtest["origins"], "h": backtest["horizon"]},
        f"{_('Method'):<16} {'MASE':>8} {'MAPE %':>8}",
        f"{data['model']:<16} {_number(backtest['model']['mase'], 3):>8} "
        f"{_number(backtest['model']['mape']):>8}",
        f"{_('Seasonal naive'):<16} {_number(backtest['seasonal_naive']['mase'], 3):>8} "
        f"{_number(backtest['seasonal_naive']['mape']):>8}",
        _("Actuals inside the intervals: 80%%: %(c80)s, 95%%: %(c95)s")
        % {
            "c80": _number(backtest["coverage_80"], 2),
            "c95": _number(backtest["coverage_95"], 2),
        },
    ]
    return "\n".join(lines)


def _bookings_run(command: BaseCommand, options: dict[str, Any]) -> None:
    horizon = _horizon(str(options["horizon"]))
    if options.get("from_csv"):
        data = _from_csv(options, horizon)
    elif options.get("date_column") or options.get("value_column"):
        raise _bad(_("--date-column and --value-column need --from-csv"))
    else:
        data = bookings_forecast(horizon=horizon)
    if options["json"]:
        command.stdout.write(json.dumps(data, indent=2, default=str))
    else:
        command.stdout.write(_bookings_text(data))


# --- rollup -----------------------------------------------------------------------------------


def _rollup_run(command: BaseCommand, options: dict[str, Any]) -> None:
    started = time.perf_counter()
    rows = rollup_rebuild()
    elapsed = time.perf_counter() - started
    command.stdout.write(f"Forecast rollup rebuilt: {rows} rows in {elapsed:.1f} s.")


SUBCOMMANDS = (
    Subcommand(
        "bookings",
        "Monthly bookings forecast with intervals and a backtest against seasonal naive.",
        _bookings_arguments,
        _bookings_run,
    ),
    Subcommand(
        "rollup",
        "Rebuild the pipeline forecast rollup from the opportunities.",
        lambda parser: None,
        _rollup_run,
    ),
)


class Command(BaseCommand):
    help = "Forecasts. " + " ".join(f"{s.name}: {s.help}" for s in SUBCOMMANDS)

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="subcommand", required=True)
        for sub in SUBCOMMANDS:
            sub_parser = subparsers.add_parser(sub.name, help=sub.help, description=sub.help)
            sub.add_arguments(sub_parser)

    def handle(self, *args: Any, **options: Any) -> None:
        by_name = {s.name: s for s in SUBCOMMANDS}
        by_name[options["subcommand"]].run(self, options)
