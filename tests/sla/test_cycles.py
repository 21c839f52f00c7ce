"""cycles(): every period of a recurring target, met or missed, worked by hand on owkin (Mon-Fri 09:00-18:00 Paris).

A request completed on Monday 23 November 2026 at 10:00 and triaged P1: updates every 30 minutes of business time.
"""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sla.cycles import cycles
from sla.log import Event
from tests.sla.clock_helpers import log
from tests.sla.policy_helpers import at, preset

OWKIN = preset("owkin")
P1 = ("2026-11-23T10:00+01:00 complete", "2026-11-23T10:00+01:00 priority P1")


def _cycles(lines, now):
    return [(c.due_at, c.met_at, c.priority) for c in cycles(OWKIN, log(*lines), at(now)) if c.target == "update"]


def test_an_update_in_time_meets_its_cycle_and_starts_the_next():
    lines = [*P1, "2026-11-23T10:20+01:00 public_reply", "2026-11-23T10:45+01:00 public_reply"]
    assert _cycles(lines, "2026-11-23T11:00+01:00") == [
        (at("2026-11-23T10:30+01:00"), at("2026-11-23T10:20+01:00"), "P1"),
        (at("2026-11-23T10:50+01:00"), at("2026-11-23T10:45+01:00"), "P1"),
    ]  # the cycle due 11:15 is still open


def test_each_period_without_an_update_is_a_missed_cycle():
    lines = [*P1, "2026-11-23T11:40+01:00 public_reply"]  # due 10:30, 11:00, 11:30 missed; 12:00 met at 11:40
    assert _cycles(lines, "2026-11-23T12:30+01:00") == [
        (at("2026-11-23T10:30+01:00"), None, "P1"),
        (at("2026-11-23T11:00+01:00"), None, "P1"),
        (at("2026-11-23T11:30+01:00"), None, "P1"),
        (at("2026-11-23T12:00+01:00"), at("2026-11-23T11:40+01:00"), "P1"),
        (at("2026-11-23T12:10+01:00"), None, "P1"),  # 11:40 + 30m passed by 12:30 without an update
    ]


def test_periods_run_on_the_business_calendar_and_resolution_ends_the_cadence():
    lines = [*P1, "2026-11-23T17:45+01:00 public_reply", "2026-11-24T09:20+01:00 resolved"]
    found = _cycles(lines, "2026-11-24T12:00+01:00")
    # from 17:45: 15m on Monday + 15m on Tuesday = Tue 09:15 missed; the next period (due 09:45) met at 09:20
    assert found[-2:] == [
        (at("2026-11-24T09:15+01:00"), None, "P1"),
        (at("2026-11-24T09:45+01:00"), at("2026-11-24T09:20+01:00"), "P1"),
    ]


def test_a_request_not_started_has_no_cycles():
    assert _cycles(["2026-11-23T10:00+01:00 priority P1"], "2026-11-23T12:00+01:00") == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 3 * 24 * 60), max_size=6, unique=True),
    st.integers(0, 4 * 24 * 60),
    st.sampled_from(["P1", "P2", "P3", "P4"]),
)
def test_cycles_tile_each_run_and_are_met_only_by_an_update(replies, now_after, priority):
    start = at("2026-11-23T10:00+01:00")
    events = [Event(start, "complete"), Event(start, "priority", priority)]
    events += [Event(start + timedelta(minutes=m), "public_reply") for m in replies]
    now = start + timedelta(minutes=now_after)
    found = [c for c in cycles(OWKIN, events, now) if c.target == "update"]
    updates = {e.at for e in events if e.kind == "public_reply"}
    length = OWKIN.targets("kpro", None, priority)
    amount = next(t for t in length if t.name == "update")
    for cycle in found:
        assert cycle.decided_at <= now
        assert cycle.started_at < cycle.due_at
        assert amount.calendar.working_time_between(cycle.started_at, cycle.due_at) == amount.calendar.length_of(
            amount.duration
        )
        if cycle.met_at is not None:
            assert cycle.met_at in updates
            assert cycle.started_at < cycle.met_at <= cycle.due_at
    assert len([c for c in found if c.met]) <= len(updates)
    assert [c.due_at for c in found] == sorted(c.due_at for c in found)


EVENT_KINDS = ["public_reply", "public_reply", "public_reply", "pause", "resume", "resolved", "reopened"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4 * 24 * 60), st.sampled_from(EVENT_KINDS)), max_size=10),
    st.integers(0, 5 * 24 * 60),
    st.integers(0, 5 * 24 * 60),
    st.sampled_from(["P1", "P2"]),
)
def test_resuming_after_a_known_cycle_gives_what_the_full_walk_gives(happened, since_after, now_after, priority):
    """The incremental walk (since, resume: the latest cycle of each target decided before `since`) returns
    exactly the full walk's cycles decided at or after `since`, whatever the log (updates, pauses, resolutions,
    reopenings)."""
    start = at("2026-11-23T10:00+01:00")
    events = [Event(start, "complete"), Event(start, "priority", priority)]
    events += [Event(start + timedelta(minutes=m), kind) for m, kind in sorted(happened)]
    now = start + timedelta(minutes=max(since_after, now_after))
    since = start + timedelta(minutes=min(since_after, now_after))
    full = cycles(OWKIN, events, now)
    earlier = cycles(OWKIN, events, since)  # what a recompute at `since` stored
    resume = {c.target: c for c in earlier if c.decided_at < since}
    assert cycles(OWKIN, events, now, since=since, resume=resume) == tuple(c for c in full if c.decided_at >= since)
