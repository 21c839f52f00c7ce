"""The chart posted with the monthly report: compliance per priority and uptime per day, as a PNG (matplotlib).

Rules: drawn on a bare Figure (matplotlib's Agg canvas: no pyplot, no display, no GUI toolkit), same input same
picture; every label comes from templates/reports/chart.json.j2. A report with nothing decided draws an empty
compliance panel (with its title), and one without an availability line no uptime bars.
"""

import io

from bot.render import render_json
from bot.reports.formats import compliance_by_priority
from bot.reports.monthly import Report

GOOD, WARN, BAD = "#1e7d32", "#e0a800", "#b3261e"


def chart_png(report: Report) -> bytes:
    """The report's chart: met % per priority on the left, the first availability line's days on the right."""
    from matplotlib.figure import Figure  # here, not at import: a worker that draws no chart never loads it (40 MB)

    labels = render_json("reports/chart.json.j2", report=report)
    figure = Figure(figsize=(10, 3.6), dpi=100)
    compliance, uptime = figure.subplots(1, 2, width_ratios=(1, 2))
    rows = compliance_by_priority(report)
    compliance.bar([p for p, _, _ in rows], [m or 0 for _, m, _ in rows], color=[_colour(m, 95) for _, m, _ in rows])
    compliance.set(title=labels["compliance"], ylim=(0, 100), ylabel=labels["percent"])
    if report.uptime:
        line = report.uptime[0]
        days = [day.day for day, _ in line.daily]
        values = [float(percent) for _, percent in line.daily]
        uptime.bar(days, values, color=[_colour(v, 99.9) for v in values])
        low = min([*values, 99.0])
        uptime.set(title=labels["uptime"] + line.name, ylim=(max(0.0, low - 1), 100), xlabel=labels["day"])
    figure.suptitle(labels["title"])
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _colour(value: float | None, good: float) -> str:
    if value is None or value < good - 5:
        return BAD
    return GOOD if value >= good else WARN
