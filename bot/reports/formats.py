"""A report in each format: text (readable tables), HTML (a standalone page with charts), CSV and JSON.

Rules:
- Text and HTML come from templates/reports/; CSV and JSON are data for spreadsheets and independent checks:
  seconds of working time, minutes of downtime, exact counts, SR numbers as SR-000123, instants in ISO 8601 UTC.
- CSV is one table: a `section` column says what a row is (target, agent, availability; satisfaction, the month's
  ratings in one row; agent_satisfaction, each agent's, "unassigned" for requests without one, as the text report
  names them), the other columns are the union of what the sections need, empty where a section has nothing.
  Rows end with CRLF (RFC 4180), so that a cell holding either line break is quoted (with "\n" alone, a lone
  "\r" would not be).
- No CSV cell can be a formula (OWASP, "CSV Injection"): figures we compute (int, float) are written as numbers,
  and every other cell is text, which gets a leading `'` when it begins with `=`, `+`, `-`, `@`, a tab or a
  carriage return, so an agent, customer or plan named "=HYPERLINK(...)" opens as that text in a spreadsheet.
- Compliance per priority (for the chart) sums every target of the priority: met / decided, decided being met +
  breached (cancelled and deferred targets are counted apart, never in it); a priority with nothing decided has
  no share.
"""

import csv
import io
import json
from collections import defaultdict
from typing import Any

from bot.render import render
from bot.reports.glance import headline, priority_bars, uptime_charts
from bot.reports.monthly import Report, Uptime
from storage.numbers import format_sr
from storage.reports import Satisfaction, TargetFigures

FORMATS = ("text", "csv", "json", "html")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "section", "name", "target", "priority", "plan", "kind", "count", "met", "breached", "cancelled", "deferred",
    "met_percent",
    "median_seconds", "p90_seconds", "mean_seconds", "breached_srs", "availability_percent", "target_percent",
    "met_target", "total_minutes", "downtime_minutes", "maintenance_minutes", "credit_percent", "mean_score",
)  # fmt: skip


def formatted(report: Report, form: str) -> str:
    """The report as `form` (one of FORMATS)."""
    if form == "json":
        return json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
    if form == "csv":
        return as_csv(report)
    template = "reports/report.html.j2" if form == "html" else "reports/report.txt.j2"
    glance = {"headline": headline(report), "bars": priority_bars(report), "charts": uptime_charts(report)}
    return render(template, report=report, compliance=compliance_by_priority(report), **glance)


def compliance_by_priority(report: Report) -> list[tuple[str, float | None, int]]:
    """(priority, met %, decided) for each priority with decided targets, in the policy's order."""
    met: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for figures in report.targets:
        priority = str(figures.group[1])
        met[priority] += figures.met
        count[priority] += figures.count
    return [
        (priority, 100.0 * met[priority] / count[priority], count[priority]) for priority in count if count[priority]
    ]


def as_data(report: Report) -> dict[str, Any]:
    return {
        "month": str(report.month),
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "time_zone": report.zone.key,
        "policy": report.policy.name,
        "plan": report.plan,
        "customer": report.customer,
        "service": report.service,
        "targets": [_figures(f, ("target", "priority", "plan", "kind")) for f in report.targets],
        "agents": [_figures(f, ("target", "agent")) for f in report.agents],
        "first_response_mean_seconds": report.first_response_seconds,
        "backlog": {str(priority): count for priority, count in report.backlog.items()},
        "satisfaction": _satisfaction(report.satisfaction) if report.satisfaction else None,
        "agent_satisfaction": [_satisfaction(s) | {"agent": s.group[0]} for s in report.agent_satisfaction],
        "availability": [_uptime(u) for u in report.uptime],
        "service_availability": [_uptime(u) | {"service": u.service} for u in report.services],
        "update_cycles": [
            {"target": c.group[0], "priority": c.group[1], "plan": c.group[2], "count": c.count, "met": c.met}
            for c in report.cycles
        ],
    }


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    rows: list[dict[str, Any]] = []
    for figures in report.targets:
        rows.append({"section": "target", **_figures(figures, ("target", "priority", "plan", "kind"), flat=True)})
    for figures in report.agents:
        rows.append({"section": "agent", **_figures(figures, ("target", "name"), flat=True)})
    for line in report.uptime:
        data = _uptime(line)
        data.pop("daily")
        rows.append({"section": "availability", **data})
    for line in report.services:
        data = _uptime(line)
        data.pop("daily")
        rows.append({"section": "service_availability", **data})
    if report.satisfaction:
        rating = report.satisfaction
        rows.append({"section": "satisfaction", "count": rating.count, "mean_score": rating.mean})
    for rating in report.agent_satisfaction:
        name = rating.group[0] or "unassigned"
        rows.append({"section": "agent_satisfaction", "name": name, "count": rating.count, "mean_score": rating.mean})
    writer.writerows({column: csv_cell(value) for column, value in row.items()} for row in rows)
    return out.getvalue()


def csv_cell(value: object) -> object:
    """`value` as a CSV cell that no spreadsheet takes for a formula: None (empty), an int or a float as it is;
    anything else as text, with a leading `'` when it begins with one of FORMULA_STARTS."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _figures(figures: TargetFigures, names: tuple[str, ...], *, flat: bool = False) -> dict[str, Any]:
    srs = [format_sr(number) for number in figures.breached_srs]
    return {
        **dict(zip(names, figures.group, strict=True)),
        "count": figures.count,
        "met": figures.met,
        "breached": figures.breached,
        "cancelled": figures.cancelled,
        "deferred": figures.deferred,
        "met_percent": figures.met_percent,
        "median_seconds": figures.percentiles.get(50),
        "p90_seconds": figures.percentiles.get(90),
        "mean_seconds": figures.mean_seconds,
        "breached_srs": " ".join(srs) if flat else srs,
    }


def _satisfaction(rating: Satisfaction) -> dict[str, Any]:
    return {"count": rating.count, "mean_score": rating.mean, "scores": {str(s): n for s, n in rating.scores.items()}}


def _uptime(line: Uptime) -> dict[str, Any]:
    figures, target = line.figures, line.terms.target
    return {
        "name": line.name,
        "plan": line.plan,
        "availability_percent": round(float(figures.percent), 6),
        "target_percent": None if target is None else float(target),
        "met_target": line.met,
        "total_minutes": figures.total.total_seconds() / 60,
        "downtime_minutes": figures.downtime.total_seconds() / 60,
        "maintenance_minutes": figures.maintenance.total_seconds() / 60,
        "credit_percent": float(line.credit),
        "daily": {day.isoformat(): round(float(percent), 6) for day, percent in line.daily},
    }
