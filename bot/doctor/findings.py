"""A finding of the doctor: one problem (or fact at start), worded by templates/cli/doctor_line.txt.j2.

Rules:
- A finding is a `kind` (the template's case) and the values its line shows. `fatal` findings make running
  impossible (`frontdesk run` stops on them); the others are warnings at start. `frontdesk doctor` lists both.
- `line(finding)` is the finding's one line of text.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.render import render


@dataclass(frozen=True)
class Finding:
    kind: str
    values: Mapping[str, Any] = field(default_factory=dict)
    fatal: bool = False


def finding(kind: str, *, fatal: bool = False, **values: Any) -> Finding:
    return Finding(kind, values, fatal)


def line(found: Finding) -> str:
    """The finding as one line of text."""
    return render("cli/doctor_line.txt.j2", kind=found.kind, **found.values).rstrip("\n")
