"""The report aggregates against Python's own arithmetic on random months: counts, met and breached, the mean,
nearest-rank median and 90th percentile, the drill-down, and the period's edges (on SQLite and PostgreSQL)."""

import math
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from sla.clocks import State
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.reports import DRILL_DOWN, Scope, by_terms, target_figures
from storage.tables import TicketDeadline
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

START, END = NOW, NOW + timedelta(days=30)
DEADLINE = st.tuples(
    st.sampled_from(["P1", "P2"]),
    st.sampled_from([State.MET, State.BREACHED, State.RUNNING]),
    st.integers(0, 40 * 86400),  # when it was decided, seconds from the start (past END: another month)
    st.one_of(st.none(), st.integers(0, 10**6)),  # elapsed seconds, once stopped
)


def nearest_rank(values: list[int], p: int) -> int:
    return sorted(values)[math.ceil(p * len(values) / 100) - 1]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(DEADLINE, max_size=40))
def test_the_aggregates_are_the_arithmetic(db: Database, deadlines: list[tuple]) -> None:
    numbers = []
    with db.write() as session:
        session.exec(delete(TicketDeadline))  # the tickets of earlier examples stay, without deadlines
        for priority, state, offset, elapsed in deadlines:
            ticket = open_ticket(session, kind="incident", actor="t", now=NOW, priority=priority, plan="std")
            numbers.append(ticket.sr_number)
            decided = START + timedelta(seconds=offset)
            stopped = None if state is State.RUNNING or elapsed is None else decided
            value = DeadlineValue(
                "response", decided if state is not State.MET else decided + timedelta(hours=1), state,
                START, stopped, None if stopped is None else timedelta(seconds=elapsed),
            )  # fmt: skip
            set_deadlines(session, ticket.id, [value], next_change_at=None, actor="t", now=NOW)
    with db.read() as session:
        found = {f.group[1]: f for f in target_figures(session, Scope(START, END), by_terms())}
    expected: dict[str, dict] = {}
    for sr, (priority, state, offset, elapsed) in zip(numbers, deadlines, strict=True):
        in_month = offset < 30 * 86400 and state is not State.RUNNING
        if not in_month or (state is State.MET and elapsed is None):
            continue  # running, or decided in another month, or a met target without a stop (never stored so)
        group = expected.setdefault(priority, {"count": 0, "met": 0, "breached": [], "times": []})
        group["count"] += 1
        group["met"] += state is State.MET
        if state is State.BREACHED:
            group["breached"].append(sr)
        if elapsed is not None:
            group["times"].append(elapsed)
    assert set(found) == set(expected)
    for priority, want in expected.items():
        got = found[priority]
        assert (got.count, got.met, got.breached) == (want["count"], want["met"], len(want["breached"]))
        assert got.breached_srs == tuple(want["breached"][:DRILL_DOWN])
        times = want["times"]
        assert got.timed == len(times)
        if times:
            assert got.percentiles == {50: nearest_rank(times, 50), 90: nearest_rank(times, 90)}
            assert math.isclose(got.mean_seconds, sum(times) / len(times))
        else:
            assert (got.percentiles, got.mean_seconds) == ({}, None)
