"""What a resolution and a deferral do to a request's clocks (sla.clocks, sla.policy.Resolution and Deferral)."""

from datetime import timedelta
from pathlib import Path

import pytest

import sla.presets
from sla.clocks import State
from sla.policy_loader import parse_policy
from sla.policy_reader import PolicyError
from tests.sla.clock_helpers import clocks_at, target_at
from tests.sla.policy_helpers import at, preset

# A kissflow "highly important" defect confirmed on Monday 23 November 2026, 10:00 India time.
DEFECT = (
    "2026-11-23T09:00+05:30 complete",
    "2026-11-23T10:00+05:30 kind defect",
    "2026-11-23T10:00+05:30 defect_confirmed",
    "2026-11-23T10:00+05:30 priority high",
)
RESOLVED = "2026-11-23T11:00+05:30 resolved"
REOPENED = "2026-11-23T12:00+05:30 reopened"
DEFERRED = "2026-11-23T11:00+05:30 deferred 2027-02-02T10:00:00+05:30"


def test_kissflow_resolution_satisfies_response_workaround_and_fix_at_that_instant() -> None:
    state = clocks_at("kissflow", [*DEFECT, RESOLVED], "2026-12-10T00:00+05:30")
    for name in ("response", "workaround", "fix"):
        target = state.target(name)
        assert (target.state, target.stopped_at, target.milestones) == (State.MET, at(RESOLVED.split()[0]), ())
    assert state.next_change is None


def test_a_resolution_past_due_is_a_breach_not_a_cancellation() -> None:
    late = "2026-11-23T15:00+05:30 resolved"  # the 4-hour response was due at 14:00
    assert target_at("kissflow", [*DEFECT, late], "2026-12-10T00:00+05:30", "response").state is State.BREACHED


def test_owkin_resolution_cancels_an_unanswered_response_and_meets_resolution() -> None:
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T10:00+01:00 priority P2", "2026-11-23T10:30+01:00 resolved"]
    state = clocks_at("owkin", lines, "2026-11-30T10:00+01:00")
    assert state.target("response").state is State.CANCELLED
    assert state.target("resolution").state is State.MET
    assert state.target("update").state is State.MET
    assert state.next_change is None


def test_reopening_restarts_cancelled_targets_without_counting_the_gap() -> None:
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority P2",
        "2026-11-23T10:30+01:00 resolved",
        "2026-11-23T11:30+01:00 reopened",
    ]
    response = target_at("owkin", lines, "2026-11-23T11:30+01:00", "response")
    assert response.state is State.RUNNING
    assert response.paused == timedelta(hours=1)
    assert response.milestones


def test_deferral_stops_every_target_but_the_fix_which_is_re_dated() -> None:
    state = clocks_at("kissflow", [*DEFECT, DEFERRED], "2026-11-30T10:00+05:30")
    for name in ("response", "workaround"):
        assert state.target(name).state is State.DEFERRED
        assert state.target(name).milestones == ()
    fix = state.target("fix")
    assert fix.state is State.RUNNING
    assert fix.due_at == at("2027-02-02T10:00+05:30")
    assert state.next_change is not None
    assert state.next_change > at("2026-12-01T00:00+05:30")


def test_a_deferred_fix_has_one_milestone_its_new_deadline() -> None:
    fix = target_at("kissflow", [*DEFECT, DEFERRED], "2026-11-30T10:00+05:30", "fix")
    assert [(m.what, m.at) for m in fix.milestones] == [("breach", at("2027-02-02T10:00+05:30"))]
    reopened = target_at("kissflow", [*DEFECT, DEFERRED, REOPENED], "2026-11-30T10:00+05:30", "fix")
    assert [m.what for m in reopened.milestones] == ["warning", "warning", "breach"]  # its own deadline back


def test_a_deferral_past_its_date_is_a_breach_of_the_fix_only() -> None:
    state = clocks_at("kissflow", [*DEFECT, DEFERRED], "2027-02-03T10:00+05:30")
    assert state.target("fix").state is State.BREACHED
    assert state.target("response").state is State.DEFERRED


def test_reopening_undoes_the_deferral() -> None:
    state = clocks_at("kissflow", [*DEFECT, DEFERRED, REOPENED], "2026-11-23T12:00+05:30")
    assert state.target("response").state is State.RUNNING
    assert state.target("fix").due_at == at("2026-11-30T10:00+05:30")  # a week of weekdays from confirmation


BASE = """
[calendars.business]
time_zone = "Europe/Paris"
hours = { mon-fri = ["09:00-17:00"] }
[[priorities]]
name = "p"
[plans.x.targets.any]
response = "1h"
resolution = "1d"
"""


def test_the_policy_states_its_resolution_rule() -> None:
    policy = parse_policy(BASE + '[resolution]\nsatisfies = ["resolution", "response"]\ncancels = []\n', "t")
    assert policy.resolution.satisfies == {"resolution", "response"}
    assert policy.resolution.cancels == frozenset()


def test_by_default_a_resolution_satisfies_resolution_and_update_and_cancels_the_rest() -> None:
    policy = parse_policy(BASE, "t")
    assert policy.resolution.satisfies == {"resolution", "update"}
    assert policy.resolution.cancels == {"response", "workaround", "fix"}
    assert policy.deferral.keeps == {"fix"}


@pytest.mark.parametrize(
    "table",
    [
        '[resolution]\nsatisfies = ["response"]\ncancels = ["response"]\n',
        '[resolution]\ncancels = ["nothing_like_it"]\n',
        '[deferral]\nkeeps = ["nothing_like_it"]\n',
        "[resolution]\nsatisfy = []\n",
    ],
)
def test_a_wrong_rule_is_refused_on_load(table: str) -> None:
    with pytest.raises(PolicyError):
        parse_policy(BASE + table, "t")


@pytest.mark.parametrize("name", ["kissflow", "owkin", "k0nsult", "kiwi", "livepro"])
def test_every_preset_states_its_resolution_rule(name: str) -> None:
    text = (Path(sla.presets.__file__).parent / f"{name}.toml").read_text(encoding="utf-8")
    assert "\n[resolution]\n# Reading:" in text
    assert preset(name).resolution.satisfies
