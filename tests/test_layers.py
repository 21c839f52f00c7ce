"""What may import what (docs/architecture.md, "Layers"), read from the source with `ast`, every import statement
counted (inside functions and `if TYPE_CHECKING:` too).

Rules checked:
- `sla/` imports nothing of `storage` or `bot`; `storage/` nothing of `bot`.
- Slack and email are peers behind bot.say.Say: `bot/slack/` imports nothing of `bot.email`, and `bot/email/`
  nothing of `bot.slack`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported(path: Path) -> set[str]:
    """Every module `path` imports; `from a import b` counts as `a` and `a.b` (b may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(path, node)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = path.relative_to(ROOT).parent.parts
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def is_of(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def breaches(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    """`file: module` for each import under `folder` of one of the `forbidden` packages."""
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, folder
    return [
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in sorted(imported(path))
        if any(is_of(module, package) for package in forbidden)
    ]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("sla", ("storage", "bot")),
        ("storage", ("bot",)),
        ("bot/slack", ("bot.email",)),
        ("bot/email", ("bot.slack",)),
    ],
)
def test_a_layer_imports_nothing_it_may_not(folder: str, forbidden: tuple[str, ...]) -> None:
    assert breaches(folder, forbidden) == []


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("import bot.email.say\nfrom bot import slack\n\ndef later():\n    from bot.slack.say import x\n")
    assert {"bot.email.say", "bot.slack", "bot.slack.say"} <= imported(source)
    assert not is_of("bot.email_payload", "bot.email")
    assert not is_of("bot.slack_emulator", "bot.slack")
