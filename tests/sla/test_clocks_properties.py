"""Properties of clocks() and due_at() (hypothesis), on the owkin and kiwi presets.

A request is completed at a random instant of 2026-2027, triaged to a random priority (and, for kiwi, plan), and
paused at random: pauses are disjoint whole seconds, may begin before the start (they are then clipped to it),
and the last one may still be open. The paused working time is worked out here from the pauses themselves, span by span.
"""

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import Calendar
from sla.clocks import Clocks, State, clocks, due_at
from sla.durations import WorkingDuration
from sla.intervals import Span
from sla.log import Event
from sla.policy import Policy
from sla.targets import Target
from tests.sla.policy_helpers import preset

FIRST_DAY, DAYS = datetime(2026, 1, 1, tzinfo=UTC), 730
# Each request lives within a horizon after its start, measured in steps of horizon / 1000 (whole seconds) plus a
# few seconds: a few hours, a few days or two weeks, so that pauses often fall before the deadline and now often
# falls around it. Pauses may begin up to a quarter of the horizon before the start.
STEPS = (21, 259, 1209)  # 6h, 3d and 14d in thousandths, in seconds
SECOND = timedelta(seconds=1)
Pause = tuple[datetime, datetime | None]
SETTINGS = settings(max_examples=250, deadline=None)


@dataclass(frozen=True, repr=False)
class Request:
    """A generated request: policy, plan, priority, start, pauses (the last maybe open), replies and now."""

    policy: Policy
    plan: str
    priority: str
    start: datetime
    pauses: list[Pause]
    replies: list[datetime]
    now: datetime

    def __repr__(self) -> str:
        pauses = ", ".join(f"{a.isoformat()}/{b.isoformat() if b else '-'}" for a, b in self.pauses)
        replies = ", ".join(reply.isoformat() for reply in self.replies)
        return (
            f"Request({self.policy.name} {self.plan} {self.priority} start={self.start.isoformat()} "
            f"pauses=[{pauses}] replies=[{replies}] now={self.now.isoformat()})"
        )

    def clocks(self, events: list[Event] | None = None) -> Clocks:
        """clocks() of this request's log (or of `events`) at its `now`."""
        return clocks(self.policy, self.events() if events is None else events, self.now)

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.policy.targets(self.plan, None, self.priority)

    @property
    def closed_pauses(self) -> list[tuple[datetime, datetime]]:
        return [(a, b) for a, b in self.pauses if b is not None]

    @property
    def pause_spans(self) -> list[Span[datetime]]:
        """The pauses that have ended, as due_at takes them."""
        return [Span(a, b) for a, b in self.closed_pauses]

    def events(self) -> list[Event]:
        events = [
            Event(self.start, "complete"),
            Event(self.start, "priority", self.priority),
            Event(self.start, "plan", self.plan),
        ]
        for paused, resumed in self.pauses:
            events.append(Event(paused, "pause"))
            if resumed is not None:
                events.append(Event(resumed, "resume"))
        events += [Event(reply, "public_reply") for reply in self.replies]
        return events


@st.composite
def requests(draw: st.DrawFn, replies: bool = False) -> Request:
    policy = preset(draw(st.sampled_from(["owkin", "kiwi"])))
    plan = draw(st.sampled_from(sorted(policy.plans)))
    priority = draw(st.sampled_from([priority.name for priority in policy.priorities]))
    start = FIRST_DAY + timedelta(days=draw(st.integers(0, DAYS - 1)), seconds=draw(st.integers(0, 86_399)))
    step = draw(st.sampled_from(STEPS))
    seconds = st.builds(lambda steps, extra: steps * step + extra, st.integers(-250, 1000), st.integers(0, 59))
    # Distinct instants around the start, never the start itself; consecutive pairs are pauses.
    count = draw(st.integers(0, 8))
    points = sorted(draw(st.lists(seconds.filter(bool), min_size=count, max_size=count, unique=True)))
    instants = [start + offset * SECOND for offset in points]
    pauses: list[Pause] = [
        (instants[i], instants[i + 1] if i + 1 < len(instants) else None) for i in range(0, len(instants), 2)
    ]
    reply_times = []
    if replies:
        later = seconds.filter(lambda offset: offset > 0 and offset not in points)
        reply_times = [start + offset * SECOND for offset in sorted(draw(st.sets(later, max_size=3)))]
    now = start + draw(st.integers(0, 1250)) * step * SECOND
    return Request(policy, plan, priority, start, pauses, reply_times, now)


def paused_time(calendar: Calendar, pauses: list[Pause], first: datetime, last: datetime) -> timedelta:
    """The working time in [first, last) that lies inside a pause (pauses are disjoint; an open one never ends)."""
    total = timedelta(0)
    for paused, resumed in pauses:
        begin, end = max(paused, first), last if resumed is None else min(resumed, last)
        if end > begin:
            total += calendar.working_time_between(begin, end)
    return total


def length(target: Target) -> timedelta:
    assert isinstance(target.duration, WorkingDuration)
    return target.calendar.length_of(target.duration)


@SETTINGS
@given(requests())
def test_due_is_the_duration_plus_the_working_time_paused_before_it(request):
    for target in request.targets:
        due = due_at(request.policy, target, request.start, request.pause_spans)
        assert due is not None
        calendar = target.calendar
        paused = paused_time(calendar, request.closed_pauses, request.start, due) if target.pausable else timedelta(0)
        assert calendar.working_time_between(request.start, due) - paused == length(target)
        assert due == calendar.add(length(target) + paused, to=request.start)


@SETTINGS
@given(requests(), st.data())
def test_adding_a_pause_never_makes_due_earlier(request, data):
    # The extra pause may overlap the others or the start.
    offsets = st.integers(-86_400, 5 * 86_400)
    first, last = sorted(data.draw(st.tuples(offsets, offsets)))
    extra = Span(request.start + first * SECOND, request.start + last * SECOND)
    for target in request.targets:
        before = due_at(request.policy, target, request.start, request.pause_spans)
        after = due_at(request.policy, target, request.start, [*request.pause_spans, extra])
        assert before is not None
        assert after is not None
        assert after >= before


@SETTINGS
@given(requests(replies=True))
def test_remaining_plus_consumed_is_the_duration_until_the_target_stops(request):
    result = request.clocks()
    for target in request.targets:
        state = result.target(target.name)
        assert state.started_at is not None
        if state.stopped_at is not None:
            continue
        assert state.state in (State.RUNNING, State.PAUSED, State.BREACHED)
        paused = timedelta(0)
        if target.pausable:
            seen = [(a, b if b is None or b <= request.now else None) for a, b in request.pauses if a <= request.now]
            paused = paused_time(target.calendar, seen, state.started_at, request.now)
        consumed = target.calendar.working_time_between(state.started_at, request.now) - paused
        assert state.paused == paused
        assert state.elapsed == consumed  # what reports count as the time the target took so far
        assert state.remaining is not None
        assert state.remaining + consumed == length(target)
        assert (state.state == State.BREACHED) == (state.remaining <= timedelta(0))


@SETTINGS
@given(requests(replies=True))
def test_milestones_are_in_order_with_the_warnings_before_the_breach(request):
    for state in request.clocks().targets:
        moments = [milestone.at for milestone in state.milestones]
        assert moments == sorted(moments)
        breaches = [milestone.at for milestone in state.milestones if milestone.what == "breach"]
        for milestone in state.milestones:
            if milestone.what == "warning" and breaches:
                assert milestone.at < breaches[0]
        if state.due_at is not None and state.state != State.MET:
            assert breaches == [state.due_at]


@SETTINGS
@given(requests(replies=True), st.randoms(use_true_random=False))
def test_clocks_is_deterministic_and_independent_of_the_order_of_the_log(request, shuffler: random.Random):
    events = request.events()
    expected = repr(request.clocks(events))
    assert repr(request.clocks(events)) == expected
    shuffler.shuffle(events)
    assert repr(request.clocks(events)) == expected


@SETTINGS
@given(requests(replies=True))
def test_the_next_change_is_in_the_future(request):
    result = request.clocks()
    assert result.next_change is None or result.next_change > request.now


@SETTINGS
@given(requests())
def test_due_at_agrees_with_the_clocks_once_every_pause_has_ended(request):
    ended = replace(request, pauses=request.closed_pauses)
    ended = replace(ended, now=max([request.now, *(resumed for _, resumed in ended.closed_pauses)]))
    result = ended.clocks()
    for target in ended.targets:
        assert result.target(target.name).due_at == due_at(ended.policy, target, ended.start, ended.pause_spans)


@SETTINGS
@given(requests(replies=True))
def test_an_overdue_cadence_has_the_period_due_now_and_the_next_one(request):
    # A running cadence past its breach: its `overdue` milestones are the latest period end at or before `now`
    # (from the second on) and the next one, counted in consecutive periods; the k-th end is k lengths of working
    # time after the breach's (k - 1) lengths, so consecutive ends are one length of working time apart.
    for state in request.clocks().targets:
        if not state.recurs or state.state != State.BREACHED or state.stopped_at is not None:
            continue
        overdue = [milestone for milestone in state.milestones if milestone.what == "overdue"]
        assert [milestone.at <= request.now for milestone in overdue] in ([False], [True, False], [])
        counts = [milestone.fraction for milestone in overdue]
        assert all(count >= 2 for count in counts)
        assert all(later - earlier == 1 for earlier, later in pairwise(counts))
        target = next(target for target in request.targets if target.name == state.name)
        if len(overdue) == 2 and not (target.pausable and request.pauses):
            assert target.calendar.working_time_between(overdue[0].at, overdue[1].at) == length(target)
