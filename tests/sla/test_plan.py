"""sla.plan (hypothesis): the milestones stored when a log changed say, at any later instant, exactly what the clocks
recomputed from the same log say of its running and breached targets, and when the request next changes.

A log is a random sequence of the events the presets read (completion, priority, plan and kind changes, a defect
confirmed, public replies, pauses and resumes, resolutions, closings, reopenings, deferrals, fixes, releases) at
random instants over a few days of 2026-2027; the plan is taken at an instant at or after the last event, and
looked at again at a random later instant, minutes to weeks on (across nights, weekends and holidays).
"""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sla import plan
from sla.clocks import clocks
from sla.log import Event
from sla.policy import Policy
from tests.sla.policy_helpers import preset

PRESETS = ("owkin", "kiwi", "kissflow", "livepro", "k0nsult")
FIRST_DAY, DAYS = datetime(2026, 1, 1, tzinfo=UTC), 700
SIMPLE = ("complete", "defect_confirmed", "public_reply", "pause", "resume", "resolved", "closed", "reopened")
SIMPLE += ("fix", "workaround", "restored", "fix_reopened")
SETTINGS = settings(max_examples=400, deadline=None)


@st.composite
def logs(draw: st.DrawFn) -> tuple[Policy, list[Event], datetime, datetime]:
    """A policy, a log, the instant its plan is taken (at or after its last event) and a later instant."""
    policy = preset(draw(st.sampled_from(PRESETS)))
    start = FIRST_DAY + timedelta(days=draw(st.integers(0, DAYS)), seconds=draw(st.integers(0, 86_399)))
    offsets = draw(st.lists(st.integers(0, 5 * 86_400), min_size=1, max_size=10))
    priorities = [priority.name for priority in policy.priorities]
    events = [Event(start, "complete"), Event(start, "priority", draw(st.sampled_from(priorities)))]
    for offset in sorted(offsets):
        at = start + timedelta(seconds=offset)
        kind = draw(st.sampled_from((*SIMPLE, "priority", "plan", "kind", "deferred", "release")))
        if kind == "priority":
            value = draw(st.sampled_from(priorities))
        elif kind == "plan":
            value = draw(st.sampled_from(sorted(policy.plans)))
        elif kind == "kind":
            value = draw(st.sampled_from(("question", "incident", "defect")))
        elif kind in ("deferred", "release"):
            value = (at + timedelta(hours=draw(st.integers(1, 24 * 30)))).isoformat()
        else:
            value = ""
        events.append(Event(at, kind, value))
    taken = events[-1].at + timedelta(seconds=draw(st.integers(0, 3 * 86_400)))
    later = taken + timedelta(seconds=draw(st.sampled_from((0, 1, 59, 3_600, 86_400, 20 * 86_400))))
    later += timedelta(seconds=draw(st.integers(0, 86_400)))
    return policy, events, taken, later


@SETTINGS
@given(logs())
def test_the_stored_milestones_say_what_the_recomputed_clocks_say(case):
    policy, log, taken, later = case
    stored = plan.plan_of(clocks(policy, log, taken), log)
    assert stored is not None
    ahead = plan.ahead(stored, later)
    recomputed = clocks(policy, log, later)
    if ahead is None:  # only a cadence's period reached leaves the recompute to say
        assert any(t.recurs and t.due_at is not None and t.due_at <= later for t in stored.targets)
        return
    assert ahead == plan.view(recomputed)
    assert ahead.next_change == recomputed.next_change
    keys = [(t.name, m.at.isoformat(), m.what, str(m.fraction)) for t in ahead.targets for m in t.milestones]
    assert keys == [(t.name, m.at.isoformat(), m.what, str(m.fraction)) for t in plan.view(recomputed).targets
                    for m in t.milestones]  # fmt: skip


@SETTINGS
@given(logs())
def test_a_plan_read_back_is_the_plan_written_for_the_same_log_and_policy_only(case):
    policy, log, taken, _ = case
    stored = plan.plan_of(clocks(policy, log, taken), log)
    assert stored is not None
    text = plan.encode(stored, policy, events=len(log))
    decoded = plan.decode(text, policy, events=len(log))
    assert decoded == stored
    assert decoded is not None
    written = [(t.due_at.isoformat() if t.due_at else None, [m.at.isoformat() for m in t.milestones])
               for t in stored.targets]  # fmt: skip
    assert [(t.due_at.isoformat() if t.due_at else None, [m.at.isoformat() for m in t.milestones])
            for t in decoded.targets] == written  # fmt: skip
    assert plan.decode(text, policy, events=len(log) + 1) is None  # an event recorded since
    other = preset("kiwi" if policy.name != "kiwi" else "owkin")
    assert plan.decode(text, other, events=len(log)) is None  # another policy


@SETTINGS
@given(logs())
def test_a_log_with_an_event_after_the_instant_gives_no_plan(case):
    policy, log, _, _ = case
    assume(log[-1].at > log[0].at)
    before = log[-1].at - timedelta(microseconds=1)
    assert plan.plan_of(clocks(policy, log, before), log) is None


def test_a_plan_looked_at_before_its_instant_leaves_the_recompute_to_say():
    policy = preset("owkin")
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    log = [Event(at, "complete"), Event(at, "priority", "P4")]
    stored = plan.plan_of(clocks(policy, log, at + timedelta(hours=1)), log)
    assert stored is not None
    assert plan.ahead(stored, at) is None


def test_a_policy_has_the_same_fingerprint_in_every_process_whatever_its_hash_seed():
    script = "from sla import presets, plan; print(plan.fingerprint(presets.load('livepro')))"
    seen = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).resolve().parents[2],
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert seen == {plan.fingerprint(preset("livepro"))}
    assert plan.fingerprint(preset("owkin")) != plan.fingerprint(preset("kiwi"))
