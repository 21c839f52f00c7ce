"""What may import what (docs/architecture.md, "Layers"), read from the source with `ast`, every import statement
counted (inside functions and `if TYPE_CHECKING:` too).

Rules checked:
- `sla/` imports nothing of `storage` or `bot`; `storage/` nothing of `bot`.
- Slack and email are peers behind bot.say.Say: `bot/slack/` imports nothing of `bot.email`, and `bot/email/`
  nothing of `bot.slack`.
- The application imports nothing of the Slack emulator, except the demo's story (`frontdesk demo` plays against
  it).
- No import cycle between the parts of `bot` (each package, and each module directly in `bot/`), counting what
  runs: an import under `if TYPE_CHECKING:` names a type for the checker only and is left out (the services name
  bot.say.Say that way, while Say names their values).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported(path: Path, *, with_typing: bool = True) -> set[str]:
    """Every module `path` imports; `from a import b` counts as `a` and `a.b` (b may be a module). Without
    `with_typing`, the imports under `if TYPE_CHECKING:` are left out."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = set() if with_typing else {id(node) for block in _type_checking(tree) for node in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(path, node)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def _type_checking(tree: ast.AST) -> list[ast.If]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)]


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


def test_the_application_does_not_import_the_emulator_but_for_the_demo() -> None:
    assert [
        line for line in breaches("bot", ("slack_emulator",)) if not line.startswith("bot/cli/demo_story.py:")
    ] == []


def part_of(module: str) -> str | None:
    """The part of `bot` a module belongs to: `bot.desk` for bot.desk.intake.requests, `bot.say` for bot.say,
    `bot.integrations.webhooks` for bot.integrations.webhooks.say."""
    parts = module.split(".")
    if parts[0] != "bot" or len(parts) < 2:
        return None
    if parts[1] == "integrations" and len(parts) > 2:  # each integration (and the HTTP channel) is a part of its own
        return f"bot.integrations.{parts[2]}"
    return (
        f"bot.{parts[1]}" if (ROOT / "bot" / parts[1]).is_dir() or (ROOT / "bot" / f"{parts[1]}.py").is_file() else None
    )


def parts_graph() -> dict[str, set[str]]:
    """Which parts of `bot` each part imports at run time."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        own = part_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if own is None:
            continue
        targets = {part_of(module) for module in imported(path, with_typing=False)}
        graph.setdefault(own, set()).update(target for target in targets if target not in (None, own))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one part (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_part_of_bot_imports_a_part_that_imports_it_back() -> None:
    graph = parts_graph()
    assert {"bot.process", "bot.slack", "bot.desk", "bot.say"} <= set(graph)
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("import bot.email.say\nfrom bot import slack\n\ndef later():\n    from bot.slack.say import x\n"
                      "if TYPE_CHECKING:\n    from bot.say import Say\n")  # fmt: skip
    assert {"bot.email.say", "bot.slack", "bot.slack.say", "bot.say"} <= imported(source)
    assert "bot.say" not in imported(source, with_typing=False)
    assert not is_of("bot.emails", "bot.email")
    assert not is_of("bot.slack_side", "bot.slack")
