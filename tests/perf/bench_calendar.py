"""How fast the business calendar adds working time, per preset calendar. Run on demand:

    python tests/perf/bench_calendar.py

For each preset calendar: additions per second for +1h, +100h and +10,000h from varied start instants (whole
minutes spread over 2026-2027, open and closed), the brute-force reference's rate for +1h and +100h, and the cost
of +10,000h relative to +1h. Goals: at least 50,000 additions per second for spans up to 100 business
hours, on one core, and +10,000h no more than 5 times the cost of +1h. The process pins itself to one core.
Rates are measured once the calendar's tables are built; "first +10,000h" is one addition on a fresh calendar,
table building (python-holidays, the zone's offset changes) included.
"""

import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sla.calendar import Calendar
from sla.holiday_rules import HolidayRules
from sla.hours import WeeklyHours
from tests.sla.reference import Reference

RATE_GOAL = 50_000
COST_RATIO_GOAL = 5.0
STARTS = 2_000
SECONDS_PER_MEASURE = 0.6
REFERENCE_SECONDS = 1.0
ROUNDS = 5


def business(zone: str, hours: str, country: str | None = None, subdivision: str | None = None) -> Calendar:
    return Calendar(
        zone=ZoneInfo(zone), hours=WeeklyHours.parse({"mon-fri": [hours]}), holidays=HolidayRules(country, subdivision)
    )


PRESETS = {
    "owkin": business("Europe/Paris", "09:00-18:00", "FR"),
    "kissflow": business("Asia/Kolkata", "00:00-24:00"),
    "k0nsult": business("Europe/Warsaw", "09:00-17:00", "PL"),
    "livepro": business("Australia/Sydney", "08:00-20:00", "AU", "NSW"),
    "livepro always": Calendar.always(ZoneInfo("Australia/Sydney")),
    "kiwi": business("America/Toronto", "08:00-17:00", "CA", "QC"),
}
SPANS = {"+1h": timedelta(hours=1), "+100h": timedelta(hours=100), "+10,000h": timedelta(hours=10_000)}
REFERENCE_SPANS = ("+1h", "+100h")


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core} of {os.cpu_count()}"


def start_instants(count: int) -> list[datetime]:
    """Whole minutes spread over 2026-2027, the same on every run."""
    rng = random.Random(2)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    return [first + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(count)]


def rate(
    add: Callable[[timedelta, datetime], datetime], span: timedelta, starts: list[datetime], seconds: float
) -> float:
    """Additions per second: the best of ROUNDS rounds (others' load only slows), sharing `seconds` between them."""
    best = 0.0
    for _ in range(ROUNDS):
        done, began = 0, time.perf_counter()
        while True:
            for start in starts:
                add(span, start)
            done += len(starts)
            elapsed = time.perf_counter() - began
            if elapsed >= seconds / ROUNDS:
                break
        best = max(best, done / elapsed)
    return best


def measure(calendar: Calendar, starts: list[datetime]) -> dict[str, float]:
    fresh = replace(calendar)  # an equal calendar with empty tables: the first addition builds them
    began = time.perf_counter()
    fresh.add(SPANS["+10,000h"], starts[0])
    rates = {"cold": 1 / (time.perf_counter() - began)}
    for span in SPANS.values():  # build the calendar's tables first: steady state is what is measured
        for start in starts:
            calendar.add(span, start)
    rates |= {name: rate(calendar.add, span, starts, SECONDS_PER_MEASURE) for name, span in SPANS.items()}
    reference = Reference(calendar)
    for name in REFERENCE_SPANS:
        rates[f"reference {name}"] = rate(reference.add, SPANS[name], starts[:5], REFERENCE_SECONDS)
    return rates


def main() -> int:
    print(f"Calendar additions per second; Python {sys.version.split()[0]}, {pin_to_one_core()}.")
    starts = start_instants(STARTS)
    header = [
        "calendar",
        *SPANS,
        *(f"ref {name}" for name in REFERENCE_SPANS),
        "10,000h/1h cost",
        "first +10,000h",
        "goals",
    ]
    rows, all_met = [], True
    for name, calendar in PRESETS.items():
        rates = measure(calendar, starts)
        ratio = rates["+1h"] / rates["+10,000h"]
        fast = min(rates["+1h"], rates["+100h"]) >= RATE_GOAL
        flat = ratio <= COST_RATIO_GOAL
        all_met = all_met and fast and flat
        goals = f"{'met' if fast else 'MISSED'} / {'met' if flat else 'MISSED'}"
        spans = [f"{rates[span]:,.0f}" for span in SPANS]
        references = [f"{rates[f'reference {span}']:,.1f}" for span in REFERENCE_SPANS]
        rows.append([name, *spans, *references, f"{ratio:.2f}x", f"{1000 / rates['cold']:.0f} ms", goals])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * width for width in widths], *rows]:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
    print(
        f"\nGoals: >= {RATE_GOAL:,} additions/s for +1h and +100h; +10,000h <= {COST_RATIO_GOAL:g}x the cost of +1h "
        f"(the 'goals' column reads rate / cost ratio). All goals {'met' if all_met else 'NOT met'}."
    )
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
