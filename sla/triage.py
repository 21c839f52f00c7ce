"""Impact x urgency: two answers a policy's matrix turns into a priority (as in KIWI's STAGE+ support policy).

Rules:
- Impacts and urgencies are ordered choices (most severe first); every cell names one of the policy's
  priorities. An unknown impact or urgency raises TriageError naming the choices that exist.
"""

from dataclasses import dataclass


class TriageError(ValueError):
    """An impact or urgency the matrix does not have."""


@dataclass(frozen=True)
class Choice:
    """One answer to a triage question."""

    name: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Matrix:
    """Rows are impacts, columns urgencies, cells priority names."""

    impact_question: str
    urgency_question: str
    impacts: tuple[Choice, ...]
    urgencies: tuple[Choice, ...]
    cells: tuple[tuple[str, ...], ...]

    def priority_for(self, impact: str, urgency: str) -> str:
        """The priority the matrix gives an impact and an urgency (by name)."""
        row = _index(self.impacts, impact, "impact")
        column = _index(self.urgencies, urgency, "urgency")
        return self.cells[row][column]


def _index(choices: tuple[Choice, ...], name: str, what: str) -> int:
    for index, choice in enumerate(choices):
        if choice.name == name:
            return index
    known = ", ".join(choice.name for choice in choices)
    raise TriageError(f'unknown {what} "{name}"; choose one of: {known}')
