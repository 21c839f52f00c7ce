"""Escalation steps that page the on-call (docs/policies.md, "Escalations"): `page = true` with or without a
level; a step that pages goes to no level unless it names one; a wrong `page` or `to` is refused naming its key."""

from datetime import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla.clocks import clocks
from sla.log import Event
from sla.policy_loader import parse_policy
from tests.sla.test_policy_loader import SOURCE, assert_refused, escalation


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def step_of(lines: str):
    (step,) = parse_policy(escalation(lines), source=SOURCE).escalations
    return step


def test_a_step_that_pages_goes_to_no_level_unless_it_names_one():
    paging = step_of('target = "response"\nimmediately = true\npage = true')
    assert (paging.target, paging.at, paging.to, paging.page) == ("response", None, None, True)
    both = step_of('at = 1.0\npage = true\nto = "L3"')
    assert (both.at, both.to, both.page) == (Fraction(1), "L3", True)


def test_a_step_without_page_still_goes_to_level_2_and_pages_no_one():
    step = step_of("at = 0.5")
    assert (step.to, step.page) == ("L2", False)


def test_page_must_be_true_or_false():
    assert_refused(escalation('at = 1.0\npage = "pagerduty"'), "escalations[0].page", "true or false")


def test_a_paging_step_still_checks_its_level():
    assert_refused(escalation('at = 1.0\npage = true\nto = "L9"'), "escalations[0].to", '"L9"')


def test_a_paging_step_is_a_milestone_as_soon_as_its_target_starts():
    policy = parse_policy(escalation('target = "response"\nimmediately = true\npage = true'), source=SOURCE)
    start = instant("2026-12-01T10:00+01:00")
    log = [Event(start, "complete", ""), Event(start, "priority", "high")]
    response = clocks(policy, log, instant("2026-12-01T10:05+01:00")).target("response")
    (paging,) = [milestone for milestone in response.milestones if milestone.what == "escalation"]
    assert paging.at == start
    assert paging.escalation is not None
    assert paging.escalation.page


LEVELS = st.sampled_from(["L2", "L3"])
VALUES = st.one_of(st.booleans(), st.integers(), st.text(alphabet="abLH23 ", max_size=4), LEVELS)


@given(page=st.one_of(st.none(), VALUES), to=st.one_of(st.none(), VALUES))
def test_any_page_and_to_either_load_as_written_or_are_refused_naming_the_key(page, to):
    lines = ["at = 1.0"]
    lines += [] if page is None else [f"page = {toml(page)}"]
    lines += [] if to is None else [f"to = {toml(to)}"]
    text = "\n".join(lines)
    if page is not None and not isinstance(page, bool):
        assert_refused(escalation(text), "escalations[0].page")
    elif to is not None and to not in ("L1", "L2", "L3"):
        assert_refused(escalation(text), "escalations[0].to")
    else:
        step = step_of(text)
        assert step.page is bool(page)
        assert step.to == (to if to is not None else (None if page else "L2"))


def toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


@pytest.mark.parametrize("level", ["L2", "L3"])
def test_a_level_named_with_page_false_is_kept(level):
    assert step_of(f'at = 1.0\npage = false\nto = "{level}"').to == level
