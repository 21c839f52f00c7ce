"""A support policy as frozen values: calendars, priorities, triage matrix, plans and their targets,
escalations, availability and credits, releases and closing rules (docs/architecture.md, "Policies").

Rules:
- A request's targets depend on its plan, kind and priority: a plan may give a kind its own targets (e.g. confirmed
  defects in the `kissflow` preset); other kinds use the plan's general targets.
- Looking up an unknown plan, kind, priority or target raises PolicyLookupError naming what exists.
- A request's suggested priority is the matrix's cell for its impact and urgency (`suggested_priority`); without
  a matrix, or before both are answered, there is none.
- Kinds (`KINDS`): a requester or an agent says a request is a question, an incident or a feature request
  (`STATED_KINDS`); only an agent makes it a defect, by confirming one. Support levels (`LEVELS`): every request
  starts at L1 and is escalated to L2 or L3 (`ESCALATION_LEVELS`).
- Resolution (`Resolution`): the policy says which targets a `resolved` event satisfies (they stop there, met
  unless already past due) and which it cancels (they stop, neither met nor breached unless already past due);
  any other target keeps running. A reopening restarts them all.
- Escalation steps (`Escalation`) go to a support level, page the on-call, or both; a step that pages names no
  pager: the desk config says which (docs/policies.md, "Escalations").
- Deferral (`Deferral`): a deferred defect's conversation closes: every target but those the policy keeps
  stops as deferred; a kept target (the permanent fix) stays tracked, due at the date or release given.
- Policies are built by sla.policy_loader, which validates everything; once built nothing changes.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sla.availability import AvailabilityTerms
from sla.calendar import Calendar
from sla.durations import WorkingDuration
from sla.releases import ReleaseSchedule
from sla.targets import Target
from sla.triage import Choice, Matrix

KINDS = ("question", "incident", "defect", "feature")
STATED_KINDS = tuple(kind for kind in KINDS if kind != "defect")  # what a request is said to be; defects are confirmed
LEVELS = ("L1", "L2", "L3")
ESCALATION_LEVELS = LEVELS[1:]  # every request starts at L1; escalating takes it to a level above


class PolicyLookupError(ValueError):
    """A name the policy does not have."""

    def __init__(self, what: str, name: str, known: list[str]) -> None:
        super().__init__(f'unknown {what} "{name}"; this policy has: {", ".join(known) or "none"}')


@dataclass(frozen=True)
class Priority(Choice):
    """A priority level (name, label, description), most urgent first in the policy's order."""


@dataclass(frozen=True)
class Plan:
    """A customer tier: targets per priority (and per kind where the policy says), availability terms."""

    name: str
    label: str
    targets: Mapping[str, tuple[Target, ...]]
    kind_targets: Mapping[str, Mapping[str, tuple[Target, ...]]]
    availability: AvailabilityTerms

    def targets_for(self, kind: str, priority: str) -> tuple[Target, ...]:
        return self.kind_targets.get(kind, self.targets).get(priority, ())

    def all_targets(self) -> Iterator[Target]:
        """Every target of the plan, general and per kind."""
        for table in (self.targets, *self.kind_targets.values()):
            for targets in table.values():
                yield from targets


@dataclass(frozen=True)
class Escalation:
    """A step of the ladder: at a fraction of a target (None: as soon as it starts), go to a level (`to`), page
    the on-call (`page`), or both. Which pager is paged is the desk's choice (its `[paging]`), not the policy's."""

    target: str
    at: Fraction | None
    to: str | None
    priorities: frozenset[str] = frozenset()
    plans: frozenset[str] = frozenset()
    message: str = ""
    page: bool = False

    def applies_to(self, plan: str, priority: str) -> bool:
        return (not self.priorities or priority in self.priorities) and (not self.plans or plan in self.plans)


@dataclass(frozen=True)
class Closing:
    """How resolved requests close: only on the requester's confirmation, or also after a quiet period."""

    confirmation_required: bool = False
    auto_close_after: WorkingDuration | None = None


@dataclass(frozen=True)
class Resolution:
    """What a resolution does to each target: satisfies it (met at that instant) or cancels it."""

    satisfies: frozenset[str] = frozenset({"resolution", "update"})
    cancels: frozenset[str] = frozenset({"response", "workaround", "fix"})


@dataclass(frozen=True)
class Deferral:
    """What a deferral keeps tracking (re-dated to the date or release given); everything else stops."""

    keeps: frozenset[str] = frozenset({"fix"})


@dataclass(frozen=True)
class Policy:
    """A whole support policy."""

    name: str
    title: str
    source: str
    calendars: Mapping[str, Calendar]
    calendar: Calendar
    priorities: tuple[Priority, ...]
    matrix: Matrix | None
    plans: Mapping[str, Plan]
    default_plan: str
    default_kind: str
    default_priority: str
    warnings: tuple[Fraction, ...]
    escalations: tuple[Escalation, ...]
    releases: ReleaseSchedule
    closing: Closing
    resolution: Resolution = Resolution()
    deferral: Deferral = Deferral()

    def plan(self, name: str | None = None) -> Plan:
        """The named plan, or the default one."""
        name = name or self.default_plan
        if name not in self.plans:
            raise PolicyLookupError("plan", name, list(self.plans))
        return self.plans[name]

    def target_labels(self) -> dict[str, str]:
        """The label of every target a plan of the policy uses, by target name."""
        return {target.name: target.definition.label for plan in self.plans.values() for target in plan.all_targets()}

    def suggested_priority(self, impact: str | None, urgency: str | None) -> str | None:
        """The priority the impact x urgency matrix gives these answers; None without a matrix or an answer."""
        if self.matrix is None or not impact or not urgency:
            return None
        return self.matrix.priority_for(impact, urgency)

    def priority(self, name: str) -> Priority:
        for priority in self.priorities:
            if priority.name == name:
                return priority
        raise PolicyLookupError("priority", name, [priority.name for priority in self.priorities])

    def targets(self, plan: str | None, kind: str | None, priority: str) -> tuple[Target, ...]:
        """The targets of a request of this plan, kind and priority."""
        kind = kind or self.default_kind
        if kind not in KINDS:
            raise PolicyLookupError("kind", kind, list(KINDS))
        self.priority(priority)
        return self.plan(plan).targets_for(kind, priority)

    def target(self, plan: str | None, kind: str | None, priority: str, name: str) -> Target:
        """One target of a request of this plan, kind and priority."""
        targets = self.targets(plan, kind, priority)
        for target in targets:
            if target.name == name:
                return target
        raise PolicyLookupError("target", name, [target.name for target in targets])

    def escalations_for(self, plan: str, priority: str) -> tuple[Escalation, ...]:
        return tuple(step for step in self.escalations if step.applies_to(plan, priority))
