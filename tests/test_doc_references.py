"""Every page of docs/ that the README, the docs, the code, the templates or the tests name exists, and every
section they cite by its title (`docs/security.md, "Email identity"`, or several: `"Metrics" and "Logging"`) is a
heading of that page or the bold run-in title of one of its paragraphs (`**Personal data.**`), so moving a
section cannot leave a citation pointing nowhere."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
FOLDERS = ("bot", "storage", "sla", "slack_emulator", "templates", "tests")
PAGE = re.compile(r"docs/([a-z0-9-]+)\.md")
CITATION = re.compile(r'docs/([a-z0-9-]+)\.md,?\s+\(?"([^"]+)"((?:\s*(?:and|,)\s*"[^"]+")*)')
EXAMPLE = 'docs/architecture.md, "Heading"'  # docs/architecture.md says how to cite, with this example


def _files() -> list[Path]:
    found = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for folder in FOLDERS:
        found += sorted(f for f in (ROOT / folder).rglob("*") if f.suffix in (".py", ".j2", ".md") and f.is_file())
    return found


def _text(file: Path) -> str:
    """The file with its line breaks (and a comment's leading `#`) as spaces, so a citation may span lines."""
    return re.sub(r"\s*\n\s*(#\s+)?", " ", file.read_text(encoding="utf-8", errors="replace"))


def _titles(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    headings = {re.sub(r"^#+\s+", "", line).strip() for line in text.splitlines() if line.startswith("#")}
    return headings | set(re.findall(r"^\*\*([^*]+?)\.\*\*", text, flags=re.M))


def test_every_page_named_exists() -> None:
    missing = sorted(
        {f"{file.relative_to(ROOT)}: docs/{name}.md" for file in _files() for name in PAGE.findall(_text(file))
         if not (ROOT / "docs" / f"{name}.md").exists()}
    )  # fmt: skip
    assert not missing


def test_every_section_cited_is_there() -> None:
    wrong = []
    for file in _files():
        for match in CITATION.finditer(_text(file)):
            page = ROOT / "docs" / f"{match.group(1)}.md"
            if match.group(0) == EXAMPLE or not page.exists():
                continue
            titles = [match.group(2), *re.findall(r'"([^"]+)"', match.group(3) or "")]
            wrong += [
                f"{file.relative_to(ROOT)}: {page.name}, {title!r}" for title in titles if title not in _titles(page)
            ]
    assert not wrong
