"""A request's milestones stored with it: what the milestone sweep reads until its event log changes, instead of
recomputing every clock from the log (docs/architecture.md, "Time").

Rules:
- A plan is taken from the clocks at an instant (sla.clocks): the targets running or breached then, each with its
  name, label, calendar, state, due instant and milestones. Until a new event is recorded nothing else about them
  changes: a target not started, paused or stopped stays so (only an event starts, resumes or stops it), a running
  one is breached once its due instant is reached, and the milestones stay where they are, for they depend only on
  the log, the policy and the calendars. A log holding an event after that instant gives no plan.
- `ahead(plan, now)` is the plan at a later `now`: exactly the running and breached targets sla.clocks gives at
  `now` for the same log, and `next_change` exactly its next change. It is None where only the full recompute
  can say: `now` before the plan's instant, or a recurring target's due instant reached (its `overdue` milestones
  are counted from `now`, and the recompute stores the cycle it decided).
- `encode` writes a plan as JSON text with the policy's fingerprint and the log's length (events are only ever
  added); `decode` gives it back only under the same policy and the same log length, else None.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import UTC, datetime
from fractions import Fraction
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sla.clocks import Clocks, Milestone, State, TargetState
from sla.log import Event, utc
from sla.policy import Policy

VERSION = 1
LIVE = (State.RUNNING, State.BREACHED)


@dataclass(frozen=True)
class PlannedTarget:
    """What a sweep reads of a running or breached target."""

    name: str
    label: str
    calendar: str
    state: State
    due_at: datetime | None
    milestones: tuple[Milestone, ...]
    recurs: bool


@dataclass(frozen=True)
class Plan:
    """The running and breached targets of a request at `at` (UTC)."""

    at: datetime
    targets: tuple[PlannedTarget, ...]

    @property
    def next_change(self) -> datetime | None:
        """The earliest milestone after `at`, in UTC: sla.clocks' `next_change`."""
        later = [m.at.astimezone(UTC) for t in self.targets for m in t.milestones if m.at > self.at]
        return min(later, default=None)


def plan_of(state: Clocks, log: list[Event]) -> Plan | None:
    """The plan of the clocks `state` computed from `log`; None when the log holds an event after its instant."""
    if any(utc(event.at) > state.now for event in log):
        return None
    return view(state)


def view(state: Clocks) -> Plan:
    """The running and breached targets of the clocks `state`, as a plan at its instant (whatever its log)."""
    return Plan(state.now, tuple(_planned(target) for target in state.targets if target.state in LIVE))


def _planned(target: TargetState) -> PlannedTarget:
    return PlannedTarget(
        target.name, target.label, target.calendar, target.state, target.due_at, target.milestones, target.recurs
    )


def ahead(plan: Plan, now: datetime) -> Plan | None:
    """The plan at `now`, or None when only the full recompute can say (the module's rules)."""
    now = utc(now)
    if now < plan.at:
        return None
    targets = []
    for target in plan.targets:
        due = target.due_at is not None and target.due_at <= now
        if due and target.recurs:
            return None
        targets.append(replace(target, state=State.BREACHED) if due else target)
    return Plan(now, tuple(targets))


def fingerprint(policy: Policy) -> str:
    """Names the policy's rules: another policy (or the same one changed) has another fingerprint, the same one
    the same in every process (sets are written sorted, so string hashing's seed does not matter). The last
    policy's is kept (one entry: the desk's policy)."""
    if _last and _last[0] is policy:
        return str(_last[1])
    found = hashlib.sha256(_canonical(policy).encode()).hexdigest()[:16]
    _last[:] = [policy, found]
    return found


_last: list[Any] = []


def _canonical(value: Any) -> str:
    """`value` written out the same way in every process: dataclasses field by field, mappings and sets sorted."""
    if is_dataclass(value) and not isinstance(value, type):
        kept = [item for item in fields(value) if item.compare and not item.name.startswith("_")]  # not caches
        inner = ", ".join(f"{item.name}={_canonical(getattr(value, item.name))}" for item in kept)
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(sorted(f"{_canonical(k)}: {_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_canonical(item) for item in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_canonical(item) for item in value) + "]"
    return repr(value)


def encode(plan: Plan, policy: Policy, *, events: int, fingerprint_of: str | None = None) -> str:
    """The plan as JSON text, for the log of `events` events under `policy` (`fingerprint_of`: as in decode)."""
    return json.dumps(
        {
            "v": VERSION,
            "policy": fingerprint_of or fingerprint(policy),
            "events": events,
            "at": plan.at.isoformat(),
            "targets": [_encoded(policy, target) for target in plan.targets],
        },
        separators=(",", ":"),
    )


def _encoded(policy: Policy, target: PlannedTarget) -> dict[str, Any]:
    zone = next((t.tzinfo for t in [target.due_at, *(m.at for m in target.milestones)] if t is not None), None)
    return {
        "name": target.name,
        "label": target.label,
        "calendar": target.calendar,
        "zone": zone.key if isinstance(zone, ZoneInfo) else "UTC",
        "state": target.state.value,
        "due": None if target.due_at is None else target.due_at.isoformat(),
        "recurs": target.recurs,
        "milestones": [
            [
                milestone.at.isoformat(),
                milestone.what,
                str(milestone.fraction),
                None if milestone.escalation is None else policy.escalations.index(milestone.escalation),
            ]
            for milestone in target.milestones
        ],
    }


def decode(text: str | None, policy: Policy, *, events: int, fingerprint_of: str | None = None) -> Plan | None:
    """The plan stored as `text` for a log of `events` events under `policy`; None when there is none, or it was
    written for another log or another policy. `fingerprint_of` is `fingerprint(policy)`, when the caller has it."""
    if not text:
        return None
    stored = json.loads(text)
    expected = fingerprint_of or fingerprint(policy)
    if stored.get("v") != VERSION or stored.get("policy") != expected or stored.get("events") != events:
        return None
    return Plan(datetime.fromisoformat(stored["at"]), tuple(_decoded(policy, target) for target in stored["targets"]))


def _decoded(policy: Policy, stored: dict[str, Any]) -> PlannedTarget:
    zone = ZoneInfo(stored["zone"])

    def instant(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(zone)

    milestones = tuple(
        Milestone(instant(at), what, _fraction(fraction), None if step is None else policy.escalations[step])
        for at, what, fraction, step in stored["milestones"]
    )
    due = None if stored["due"] is None else instant(stored["due"])
    return PlannedTarget(
        stored["name"], stored["label"], stored["calendar"], State(stored["state"]), due, milestones, stored["recurs"]
    )


@lru_cache(maxsize=256)
def _fraction(text: str) -> Fraction:
    """A milestone's fraction read back (a policy has a handful: its warnings, steps and periods)."""
    return Fraction(text)
