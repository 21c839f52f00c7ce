"""Storage keeps sla's words: the kinds and support levels it stores are exactly the policy's."""

from sla.policy import KINDS, LEVELS
from storage.kinds import AgentLevel, TicketKind


def test_ticket_kinds_are_the_policy_kinds() -> None:
    assert tuple(kind.value for kind in TicketKind) == KINDS


def test_agent_levels_are_the_policy_levels() -> None:
    assert tuple(level.value for level in AgentLevel) == LEVELS
