"""Templates a person can read: no line of a template is longer than 120 characters.

A long line of output is written over several lines of its template (docs/architecture.md, "Layers"): each line
but the last ends in `{# #}`, a comment after which trim_blocks drops the line break; or the break is inside a
`{{ }}` or `{% %}` tag; JSON templates break between tokens.
"""

from importlib import resources
from pathlib import Path

LIMIT = 120
FOLDER = Path(str(resources.files("templates")))


def templates() -> list[Path]:
    return sorted(FOLDER.rglob("*.j2"))


def test_every_template_is_checked():
    assert len(templates()) > 50
    assert {path.parent.name for path in templates()} >= {"cli", "config", "email", "reports", "slack", "status"}


def test_no_template_line_is_longer_than_120_characters():
    too_long = [
        f"{path.relative_to(FOLDER)}:{number}: {len(line)} characters"
        for path in templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LIMIT
    ]
    assert too_long == []
