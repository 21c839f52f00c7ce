"""Targets (clocks): what each one measures, when it starts and what stops it.

Rules (docs/architecture.md, "Glossary" and "Time"):
- Built-in targets: `response` (first public reply by a human agent), `workaround`, `fix` (permanent fix),
  `resolution` (resolved, or whatever the policy also accepts, e.g. a workaround), and `update` (a cadence:
  every public reply restarts it until the request is resolved). A policy may declare custom targets
  (e.g. `restore`) with their own start and stop events, and may override a built-in's label and events.
- Response, resolution and update start when the request is complete; workaround and fix when a defect is
  confirmed, unless the policy says otherwise.
- Automated messages and internal notes are not `public_reply` events: the caller never records them as such.
"""

from dataclasses import dataclass

from sla.calendar import Calendar
from sla.durations import TargetDuration

START_EVENTS = frozenset({"complete", "defect_confirmed"})
STOP_EVENTS = frozenset({"public_reply", "workaround", "fix", "resolved", "restored", "closed"})


@dataclass(frozen=True)
class TargetDefinition:
    """What a target measures: its name, label, start event, stop events, and whether it recurs."""

    name: str
    label: str
    starts_on: str
    stops_on: frozenset[str]
    restarts_on: frozenset[str] = frozenset()

    @property
    def recurs(self) -> bool:
        """An update cadence: each restart event begins a new period."""
        return bool(self.restarts_on)


BUILT_IN = {
    definition.name: definition
    for definition in (
        TargetDefinition("response", "Response", "complete", frozenset({"public_reply", "closed"})),
        TargetDefinition("workaround", "Workaround", "defect_confirmed", frozenset({"workaround", "fix"})),
        TargetDefinition("fix", "Permanent fix", "defect_confirmed", frozenset({"fix"})),
        TargetDefinition("resolution", "Resolution", "complete", frozenset({"resolved", "closed"})),
        TargetDefinition(
            "update", "Update", "complete", frozenset({"resolved", "closed"}), frozenset({"public_reply"})
        ),
    )
}


@dataclass(frozen=True)
class Target:
    """One deadline rule for a request: what it measures, how long, on which calendar, whether it pauses."""

    definition: TargetDefinition
    duration: TargetDuration
    calendar: Calendar
    pausable: bool

    @property
    def name(self) -> str:
        return self.definition.name
