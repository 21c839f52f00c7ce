"""Rendering the words people read, from the Jinja2 templates in `templates/`.

Rules:
- Every user-visible sentence lives in a template; code passes values, never prose.
- Undefined variables are errors (StrictUndefined), so a renamed value cannot silently print nothing.
- HTML templates (`*.html.j2`: the requester's email, the report page, the status page) are autoescaped, and
  only they are (`select_autoescape` below): every value is HTML-escaped on output, so they write `{{ value }}`,
  never `| e`, and never `| safe`. Markup is only ever for HTML we build ourselves. Text, JSON and mrkdwn
  templates are not HTML-escaped; each escapes for its own reader (`tojson`, `mrkdwn`, `quote_lines`).
- JSON templates (`*.json.j2`: Block Kit blocks and views) are parsed after rendering; every value goes in
  through `tojson`, so nothing typed by a person can break the structure.
- Text templates keep their line layout (trim_blocks, lstrip_blocks) and end with exactly one newline.
- Filters: `columns` aligns rows of cells into a plain-text table; `percent` shows a figure already in percent
  (99.9 -> "99.9%"), `share` a fraction of one (0.5 -> "50%"), both without trailing zeros; `mrkdwn` escapes
  user text for Slack (`&`, `<`, `>`), so `<!channel>` or `<@U123>` typed by anyone is shown, never acted on;
  `quote_lines` shows user text as a Slack block quote (each of its lines `mrkdwn`-escaped and prefixed with
  "> "), and `one_line` puts it on one line (`mrkdwn`-escaped, line breaks as spaces), so that nothing a person
  types can start a line of the bot's own (a forged "*Priority:* P1" on a card);
  `unslack` decodes those entities again for a terminal; `split_lines` splits text into lines; `fromiso` reads an
  ISO 8601 instant; `rate` shows a share in percent with one decimal (None -> "-"); `hours` shows seconds of
  working time as hours and minutes (4500 -> "1h 15m", None -> "-"); `sr` an SR number (5 -> "SR-000005");
  `cut(n)` cuts text to at most n characters (`cut` below): every cut to a Slack limit (sla.wording names them).
- `cut(text, most)` keeps `text` whole when it fits in `most` characters; else it is cut at the last word boundary
  of what fits (or mid-word when a single word is longer) and ends with "…", all within `most`. Never longer:
  Jinja's own `truncate(n)` lets up to 5 more characters through (its `leeway`), which makes a 76 to 80 character
  button that Slack refuses.
"""

import html
import json
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.ways_in import IDS
from storage.numbers import format_sr


@cache
def environment() -> Environment:
    """The one Jinja2 environment, loading from the installed `templates` package."""
    folder = str(resources.files("templates"))
    env = Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    )
    env.filters["columns"] = columns
    env.filters["percent"] = percent
    env.filters["share"] = share
    env.filters["mrkdwn"] = mrkdwn
    env.filters["quote_lines"] = quote_lines
    env.filters["one_line"] = one_line
    env.filters["unslack"] = html.unescape
    env.filters["split_lines"] = str.splitlines
    env.filters["fromiso"] = datetime.fromisoformat
    env.filters["hours"] = hours
    env.filters["rate"] = rate
    env.filters["sr"] = format_sr
    env.filters["cut"] = cut  # exact, unlike Jinja's truncate
    env.globals["ids"] = IDS  # the ways in (action and callback ids), bot.ways_in
    return env


def render(template: str, /, **values: Any) -> str:
    """The template file `template` filled with `values`, ending in one newline."""
    return environment().get_template(template).render(**values).rstrip("\n") + "\n"


def render_json(template: str, /, **values: Any) -> Any:
    """A JSON template (Block Kit blocks, a view) filled with `values` and parsed; values go in with `tojson`."""
    return json.loads(environment().get_template(template).render(**values))


def columns(rows: Sequence[Sequence[object]], indent: int = 2, gap: int = 2) -> str:
    """Rows of cells as left-aligned columns, one line per row."""
    texts = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in texts if i < len(row)) for i in range(max(map(len, texts), default=0))]
    lines = (
        " " * indent + (" " * gap).join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in texts
    )
    return "\n".join(lines)


def percent(value: Fraction | float) -> str:
    """A figure in percent as text: 99.9%, 5%."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def share(value: Fraction | float) -> str:
    """A fraction of one as a percentage: 0.5 -> 50%."""
    return percent(Fraction(value) * 100)


def mrkdwn(text: object) -> str:
    """User text made inert in Slack mrkdwn: `&`, `<` and `>` escaped as Slack asks."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote_lines(text: object) -> str:
    """User text as a Slack block quote: each of its lines escaped for mrkdwn and prefixed with "> "."""
    return "\n".join("> " + mrkdwn(line) for line in str(text).splitlines() or [""])


def one_line(text: object) -> str:
    """User text escaped for mrkdwn on one line: each line break (anything `str.splitlines` splits on) a space."""
    return mrkdwn(" ".join(str(text).splitlines()))


def hours(seconds: float | None) -> str:
    """Seconds of working time as hours and minutes, rounded to the minute: 4500 -> "1h 15m"; None -> "-"."""
    if seconds is None:
        return "-"
    whole, minutes = divmod(round(seconds / 60), 60)
    return f"{whole}h {minutes:02d}m" if whole else f"{minutes}m"


def rate(value: float | None) -> str:
    """A compliance figure in percent, one decimal: 33.333 -> "33.3%"; None -> "-"."""
    return "-" if value is None else f"{value:.1f}%"


ELLIPSIS = "…"


def cut(text: object, most: int) -> str:
    """`text` in at most `most` characters: whole, or cut with a visible "…"."""
    if most < 1:
        raise ValueError(f"cannot cut text to {most} characters")
    whole = str(text)
    if len(whole) <= most:
        return whole
    kept = whole[: most - 1]
    head, space, _ = kept.rpartition(" ")
    return (head.rstrip() if space and head.strip() else kept) + ELLIPSIS
