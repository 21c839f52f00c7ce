"""clocks(): each target's state from a request's event log and "now", situation by situation.

Every expected instant below is worked by hand; the comment beside it shows the arithmetic. The week used is
Monday 2026-11-23 to Friday 2026-11-27, which has no holiday in France, Poland, Quebec or New South Wales.
Offsets that week: Paris and Warsaw +01:00, Toronto -05:00, Sydney +11:00, Kolkata +05:30.
Calendars: owkin Mon-Fri 09:00-18:00 Paris (1d = 9h); kissflow whole weekdays in Kolkata (1d = 24h);
k0nsult Mon-Fri 09:00-17:00 Warsaw (1d = 8h); kiwi Mon-Fri 08:00-17:00 Toronto; livepro critical on `always`.
"""

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from sla.clocks import State, clocks, due_at
from sla.intervals import Span
from sla.log import Event
from sla.policy_loader import parse_policy
from sla.timeline import NaiveInstantError
from tests.sla.clock_helpers import clocks_at, instants, log, target_at, timeline
from tests.sla.policy_helpers import at, preset

H, M = timedelta(hours=1), timedelta(minutes=1)
HALF, FOUR_FIFTHS, ONE, TWO = Fraction(1, 2), Fraction(4, 5), Fraction(1), Fraction(2)

# An owkin request completed on Monday at 10:00 Paris and triaged P1 at once: response 1h, resolution 4h,
# update every 30m, all on 09:00-18:00.
OWKIN_P1 = ("2026-11-23T10:00+01:00 complete", "2026-11-23T10:00+01:00 priority P1")

# A kissflow medium defect confirmed on Monday at 10:00 Kolkata: its fix is due at the next release. Releases are
# fortnightly on Tuesdays at 10:00 from 2026-01-06; 2026-11-24 is 322 days = 23 fortnights later, so a release.
KISSFLOW_MEDIUM_DEFECT = (
    "2026-11-23T09:00+05:30 complete",
    "2026-11-23T09:00+05:30 kind defect",
    "2026-11-23T09:00+05:30 priority medium",
    "2026-11-23T10:00+05:30 defect_confirmed",
)

TWO_ZONES = """
name = "zones"
[calendars.business]
time_zone = "Europe/Paris"
hours = { mon-fri = ["09:00-18:00"] }
[calendars.tokyo]
time_zone = "Asia/Tokyo"
always = true
[[priorities]]
name = "P1"
[plans.standard.targets.P1]
response = { duration = "1h", calendar = "tokyo" }
resolution = "4h"
"""

RELEASES_OUTSIDE_HOURS = """
name = "releases"
pausable = ["fix"]
[calendars.business]
time_zone = "Europe/Paris"
hours = { mon-fri = ["09:00-17:00"] }
[[priorities]]
name = "P1"
[plans.standard.targets.P1]
fix = "next_release"
[releases]
dates = [2026-11-28T08:00:00+01:00, 2026-12-01T20:00:00+01:00]
"""

NO_RELEASES = """
name = "unscheduled"
[calendars.business]
time_zone = "Europe/Paris"
hours = { mon-fri = ["09:00-17:00"] }
[[priorities]]
name = "P1"
[plans.standard.targets.P1]
fix = "next_release"
"""


# --- starting and stopping -----------------------------------------------------------------------------------


def test_a_request_not_yet_complete_has_every_target_pending():
    result = clocks_at("owkin", ["2026-11-23T10:00+01:00 priority P1"], "2026-11-23T15:00+01:00")
    assert [(state.name, state.state) for state in result.targets] == [
        ("response", State.PENDING),
        ("resolution", State.PENDING),
        ("update", State.PENDING),
    ]
    assert all(state.due_at is None and state.started_at is None and not state.milestones for state in result.targets)
    assert result.next_change is None


def test_defect_targets_wait_for_the_defect_to_be_confirmed():
    # kissflow: a defect's response, workaround and fix start at defect_confirmed, not at complete.
    unconfirmed = clocks_at("kissflow", KISSFLOW_MEDIUM_DEFECT[:3], "2026-11-23T12:00+05:30")
    assert unconfirmed.kind == "defect"
    assert {state.name: state.state for state in unconfirmed.targets} == {
        "response": State.PENDING,
        "workaround": State.PENDING,
        "fix": State.PENDING,
    }
    confirmed = clocks_at("kissflow", KISSFLOW_MEDIUM_DEFECT, "2026-11-23T12:00+05:30")
    response, workaround = confirmed.target("response"), confirmed.target("workaround")
    assert response.started_at == workaround.started_at == at("2026-11-23T10:00+05:30")
    assert response.due_at == at("2026-11-23T18:00+05:30")  # medium response 8h: 10:00 + 8h
    assert workaround.due_at == at("2026-11-26T10:00+05:30")  # 3d = 72h of weekdays: Mon 10:00 + 72h = Thu 10:00


def test_a_chat_question_is_answered_within_24_weekday_hours_across_a_weekend():
    # kissflow questions start at complete; Friday 09:00 + 24h = Fri 15h (to midnight) + Mon 9h = Mon 09:00.
    state = target_at("kissflow", ["2026-11-27T09:00+05:30 complete"], "2026-11-28T12:00+05:30", "response")
    assert state.state == State.RUNNING
    assert state.due_at == at("2026-11-30T09:00+05:30")
    assert state.remaining == 9 * H  # Friday's 15h consumed; Saturday is not working time


def test_a_response_stopped_by_a_public_reply_before_due_is_met():
    # owkin P4 response 2h: Mon 10:00 + 2h = 12:00. The reply at 11:00 stops it after 1h of work.
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T11:00+01:00 public_reply"]
    state = target_at("owkin", lines, "2026-11-23T15:00+01:00", "response")
    assert state.state == State.MET
    assert state.due_at == at("2026-11-23T12:00+01:00")
    assert state.stopped_at == at("2026-11-23T11:00+01:00")
    assert state.remaining == H  # 2h - 1h
    assert state.breached_at is None
    # The 50% warning falls exactly at the reply (10:00 + 1h) and the 80% one later: both dropped.
    assert state.milestones == ()


def test_a_reply_after_the_due_instant_is_breached_at_the_due_instant():
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T12:30+01:00 public_reply"]
    state = target_at("owkin", lines, "2026-11-23T15:00+01:00", "response")
    assert state.state == State.BREACHED
    assert state.breached_at == state.due_at == at("2026-11-23T12:00+01:00")
    assert state.stopped_at == at("2026-11-23T12:30+01:00")
    assert state.remaining == -30 * M  # 2h - 2h30m
    assert timeline(state) == [
        (at("2026-11-23T11:00+01:00"), "warning", HALF, ""),  # 10:00 + 1h
        (at("2026-11-23T11:36+01:00"), "warning", FOUR_FIFTHS, ""),  # 10:00 + 96m
        (at("2026-11-23T12:00+01:00"), "breach", ONE, ""),
    ]


def test_a_reply_exactly_at_the_due_instant_is_met():
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T12:00+01:00 public_reply"]
    state = target_at("owkin", lines, "2026-11-23T15:00+01:00", "response")
    assert state.state == State.MET
    assert state.breached_at is None
    assert state.remaining == timedelta(0)
    assert [what for _, what, _, _ in timeline(state)] == ["warning", "warning"]  # the breach at the stop is dropped


def test_running_past_due_without_a_stop_is_breached_from_exactly_the_due_instant():
    lines = ["2026-11-23T10:00+01:00 complete"]
    just_before = target_at("owkin", lines, "2026-11-23T11:59:59.999999+01:00", "response")
    assert just_before.state == State.RUNNING
    assert just_before.remaining == timedelta(microseconds=1)
    assert just_before.breached_at is None
    at_due = target_at("owkin", lines, "2026-11-23T12:00+01:00", "response")
    assert at_due.state == State.BREACHED
    assert at_due.breached_at == at("2026-11-23T12:00+01:00")
    assert at_due.remaining == timedelta(0)
    later = target_at("owkin", lines, "2026-11-23T17:00+01:00", "response")
    assert later.state == State.BREACHED
    assert later.breached_at == at("2026-11-23T12:00+01:00")
    assert later.remaining == -5 * H  # 2h - 7h of work since 10:00


def test_a_closed_request_stops_its_response_clock():
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T10:30+01:00 closed"]
    result = clocks_at("owkin", lines, "2026-11-23T15:00+01:00")
    assert {state.name: state.state for state in result.targets} == {
        "response": State.MET,
        "resolution": State.MET,
        "update": State.MET,
    }
    assert result.next_change is None


def test_a_k0nsult_resolution_is_met_by_an_acceptable_workaround():
    # "Resolution means the issue is fixed or an acceptable workaround is provided."
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority S2",
        "2026-11-24T10:00+01:00 workaround",
    ]
    state = target_at("k0nsult", lines, "2026-11-24T11:00+01:00", "resolution")
    assert state.state == State.MET
    assert state.stopped_at == at("2026-11-24T10:00+01:00")


# --- pauses --------------------------------------------------------------------------------------------------


def test_a_pause_moves_the_resolution_due_by_exactly_the_paused_working_time():
    lines = [*OWKIN_P1, "2026-11-23T11:00+01:00 pause", "2026-11-23T12:30+01:00 resume"]
    state = target_at("owkin", lines, "2026-11-23T13:00+01:00", "resolution")
    assert state.state == State.RUNNING
    assert state.due_at == at("2026-11-23T15:30+01:00")  # 10:00 + 4h + 1h30m paused
    assert state.paused == 90 * M
    assert state.remaining == 2 * H + 30 * M  # 4h - (1h before the pause + 30m after it)


def test_a_pause_across_a_night_and_a_weekend_moves_due_by_its_working_part_only():
    # P1 from Thu 16:00: 1h of work, then paused from Thu 17:00 to Mon 10:00. Working part of the pause:
    # Thu 17:00-18:00 (1h) + Fri 9h + Mon 09:00-10:00 (1h) = 11h. Due = add(4h + 11h, Thu 16:00):
    # Thu 2h, Fri 9h (11h), Mon 4h -> Mon 13:00 (= resumed Mon 10:00 + the 3h left).
    lines = [
        "2026-11-26T16:00+01:00 complete",
        "2026-11-26T16:00+01:00 priority P1",
        "2026-11-26T17:00+01:00 pause",
        "2026-11-30T10:00+01:00 resume",
    ]
    state = target_at("owkin", lines, "2026-11-30T11:00+01:00", "resolution")
    assert state.due_at == at("2026-11-30T13:00+01:00")
    assert state.paused == 11 * H
    assert state.remaining == 2 * H  # 4h - (Thu 1h + Mon 1h)


def test_an_open_pause_leaves_the_target_paused_with_no_due_instant_and_no_next_change():
    # kiwi basic P1: response 1h (met at 09:30), resolution 8h, paused since 10:00 with no resume yet.
    lines = [
        "2026-11-23T09:00-05:00 complete",
        "2026-11-23T09:00-05:00 priority P1",
        "2026-11-23T09:30-05:00 public_reply",
        "2026-11-23T10:00-05:00 pause",
    ]
    result = clocks_at("kiwi", lines, "2026-11-23T11:00-05:00")
    state = result.target("resolution")
    assert state.state == State.PAUSED
    assert state.due_at is None
    assert state.remaining == 7 * H  # 8h - the hour before the pause
    assert state.paused == H  # 10:00-11:00 so far
    assert state.milestones == ()  # the 50% warning (4h of work) is not reached before the pause
    assert result.next_change is None
    # Resumed at 12:00: 7h left from 12:00 = Mon 5h (to 17:00) + Tue 2h from 08:00 -> Tue 10:00.
    resumed = target_at("kiwi", [*lines, "2026-11-23T12:00-05:00 resume"], "2026-11-23T12:30-05:00", "resolution")
    assert resumed.state == State.RUNNING
    assert resumed.due_at == at("2026-11-24T10:00-05:00")


def test_milestones_reached_before_an_open_pause_are_kept():
    # owkin P1 resolution: 50% (2h) at 12:00, paused at 13:00 before the 80% point (3h12m).
    lines = [*OWKIN_P1, "2026-11-23T11:00+01:00 public_reply", "2026-11-23T13:00+01:00 pause"]
    state = target_at("owkin", lines, "2026-11-23T16:00+01:00", "resolution")
    assert state.state == State.PAUSED
    assert timeline(state) == [(at("2026-11-23T12:00+01:00"), "warning", HALF, "")]


def test_a_non_pausable_target_ignores_pauses():
    # owkin pauses only resolution; the P1 response (1h) stays due at 11:00.
    lines = [*OWKIN_P1, "2026-11-23T10:10+01:00 pause", "2026-11-23T10:40+01:00 resume"]
    state = target_at("owkin", lines, "2026-11-23T10:50+01:00", "response")
    assert state.due_at == at("2026-11-23T11:00+01:00")
    assert state.paused == timedelta(0)
    assert state.remaining == 10 * M
    open_pause = target_at("owkin", lines[:3], "2026-11-23T10:50+01:00", "response")
    assert open_pause.state == State.RUNNING
    assert open_pause.due_at == at("2026-11-23T11:00+01:00")


def test_duplicate_pause_and_resume_events_count_the_paused_time_once():
    # The second pause (11:30) comes while already paused and the second resume (12:15) while running: the pause
    # is 11:00-12:00, 1h. Then 13:00-13:30, 30m. Due = 10:00 + 4h + 1h30m = 15:30.
    lines = [
        *OWKIN_P1,
        "2026-11-23T11:00+01:00 pause",
        "2026-11-23T11:30+01:00 pause",
        "2026-11-23T12:00+01:00 resume",
        "2026-11-23T12:15+01:00 resume",
        "2026-11-23T13:00+01:00 pause",
        "2026-11-23T13:30+01:00 resume",
    ]
    state = target_at("owkin", lines, "2026-11-23T14:00+01:00", "resolution")
    assert state.due_at == at("2026-11-23T15:30+01:00")
    assert state.paused == 90 * M


def test_a_pause_overlapping_a_resolved_gap_counts_the_overlap_once():
    # owkin P2 resolution 8h from Mon 10:00. Paused 10:30-11:30; resolved 11:00 and reopened 12:00. The excluded
    # time is the union 10:30-12:00 = 1h30m, so due = 10:00 + 8h + 1h30m = Mon 18:00 (8h) + Tue 1h30m = Tue 10:30.
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority P2",
        "2026-11-23T10:30+01:00 pause",
        "2026-11-23T11:00+01:00 resolved",
        "2026-11-23T11:30+01:00 resume",
        "2026-11-23T12:00+01:00 reopened",
    ]
    state = target_at("owkin", lines, "2026-11-23T13:00+01:00", "resolution")
    assert state.state == State.RUNNING
    assert state.due_at == at("2026-11-24T10:30+01:00")
    assert state.paused == 90 * M


def test_overlapping_pauses_given_to_due_at_count_once():
    # 11:00-12:00 and 11:30-12:30 are together 11:00-12:30, 1h30m: 10:00 + 4h + 1h30m = 15:30.
    target = preset("owkin").target(None, None, "P1", "resolution")
    pauses = [
        Span(at("2026-11-23T11:00+01:00"), at("2026-11-23T12:00+01:00")),
        Span(at("2026-11-23T11:30+01:00"), at("2026-11-23T12:30+01:00")),
        Span(at("2026-11-23T11:15+01:00"), at("2026-11-23T11:45+01:00")),
    ]
    assert due_at(preset("owkin"), target, at("2026-11-23T10:00+01:00"), pauses) == at("2026-11-23T15:30+01:00")


def test_a_pause_before_the_start_is_clipped_to_the_start():
    # Paused 09:00-10:30 but the clock starts at 10:00: only 30m counts, due = 10:00 + 4h + 30m = 14:30.
    lines = ["2026-11-23T09:00+01:00 pause", *OWKIN_P1, "2026-11-23T10:30+01:00 resume"]
    state = target_at("owkin", lines, "2026-11-23T11:00+01:00", "resolution")
    assert state.due_at == at("2026-11-23T14:30+01:00")
    assert state.paused == 30 * M
    # A pause that ended before the start changes nothing.
    earlier = ["2026-11-23T09:00+01:00 pause", "2026-11-23T09:30+01:00 resume", *OWKIN_P1]
    state = target_at("owkin", earlier, "2026-11-23T11:00+01:00", "resolution")
    assert state.due_at == at("2026-11-23T14:00+01:00")
    assert state.paused == timedelta(0)


# --- priority, plan and kind changes ---------------------------------------------------------------------------


def test_a_priority_raised_after_thirty_minutes_recomputes_from_the_original_start():
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T10:30+01:00 priority P1"]
    before = clocks_at("owkin", lines, "2026-11-23T10:20+01:00")
    assert before.priority == "P4"
    # P4 resolution 75h from Mon 10:00: Mon 8h, Tue-Fri 36h (44h), Mon 30 9h, Tue 9h, Wed 9h (71h), Thu 4h.
    assert before.target("resolution").due_at == at("2026-12-03T13:00+01:00")
    after = clocks_at("owkin", lines, "2026-11-23T10:45+01:00")
    assert after.priority == "P1"
    assert after.target("resolution").started_at == at("2026-11-23T10:00+01:00")
    assert after.target("resolution").due_at == at("2026-11-23T14:00+01:00")  # start + 4h
    assert after.target("response").due_at == at("2026-11-23T11:00+01:00")  # start + 1h
    # The 30m update cadence from 10:00 was already due at 10:30, the instant of the change.
    assert after.target("update").state == State.BREACHED
    assert after.target("update").breached_at == at("2026-11-23T10:30+01:00")
    # Next: the response's 80% warning at 10:00 + 48m (before the update's overdue reminder at 11:00).
    assert after.next_change == at("2026-11-23T10:48+01:00")


def test_the_latest_priority_wins_and_later_ones_are_not_seen_yet():
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:30+01:00 priority P1",
        "2026-11-23T11:00+01:00 priority P2",
        "2026-11-23T12:00+01:00 priority P3",
    ]
    result = clocks_at("owkin", lines, "2026-11-23T11:30+01:00")
    assert result.priority == "P2"
    assert result.target("resolution").due_at == at("2026-11-23T18:00+01:00")  # P2 8h: 10:00 + 8h


def test_a_plan_upgrade_recomputes_every_target_from_the_original_start():
    # k0nsult S2 completed Mon 10:00 Warsaw on starter, upgraded to enterprise at 11:00.
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority S2",
        "2026-11-23T11:00+01:00 plan enterprise",
    ]
    starter = clocks_at("k0nsult", lines, "2026-11-23T10:30+01:00")
    assert starter.plan == "starter"
    # Starter response 24h = three 8h days: Mon 7h, Tue 8h, Wed 8h (23h), Thu 1h -> Thu 10:00.
    assert starter.target("response").due_at == at("2026-11-26T10:00+01:00")
    # Starter resolution 5d = 40h: Mon 7h + Tue-Fri 32h (39h) + Mon 30 1h -> 10:00.
    assert starter.target("resolution").due_at == at("2026-11-30T10:00+01:00")
    enterprise = clocks_at("k0nsult", lines, "2026-11-23T12:00+01:00")
    assert enterprise.plan == "enterprise"
    assert enterprise.target("response").due_at == at("2026-11-23T14:00+01:00")  # S2 4h: 10:00 + 4h
    resolution = enterprise.target("resolution")
    assert resolution.due_at == at("2026-11-24T10:00+01:00")  # 1d = 8h: Mon 7h + Tue 1h
    # S2 goes to L2 at once; enterprise goes to L3 at the breach.
    assert [(when, level) for when, what, _, level in timeline(resolution) if what == "escalation"] == [
        (at("2026-11-23T10:00+01:00"), "L2"),
        (at("2026-11-24T10:00+01:00"), "L3"),
    ]


def test_a_question_reclassified_as_a_defect_gets_the_defect_targets_from_confirmation():
    # kissflow: a chat question completed Mon 09:00 (response 24h, due Tue 09:00), confirmed a high defect at 11:00.
    question = ["2026-11-23T09:00+05:30 complete"]
    assert target_at("kissflow", question, "2026-11-23T10:00+05:30", "response").due_at == at("2026-11-24T09:00+05:30")
    lines = [
        *question,
        "2026-11-23T11:00+05:30 kind defect",
        "2026-11-23T11:00+05:30 priority high",
        "2026-11-23T11:00+05:30 defect_confirmed",
    ]
    result = clocks_at("kissflow", lines, "2026-11-23T12:00+05:30")
    assert (result.kind, result.priority) == ("defect", "high")
    assert {state.name: state.due_at for state in result.targets} == {
        "response": at("2026-11-23T15:00+05:30"),  # 4h: 11:00 + 4h
        "workaround": at("2026-11-24T11:00+05:30"),  # 24h of a weekday
        "fix": at("2026-11-30T11:00+05:30"),  # 1w = 5 x 24h: Mon 11:00 + 120h of weekdays = next Mon 11:00
    }
    assert all(state.started_at == at("2026-11-23T11:00+05:30") for state in result.targets)


def test_a_met_response_stays_met_when_the_priority_is_raised_later():
    # docs/architecture.md, "Time": a change "recomputes every open target from its start event". Replied at 11:30
    # as P4 (due 12:00), raised to P1 at 13:00: the response was met under the priority it had; P1's 1h (due 11:00)
    # must not breach it afterwards.
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T11:30+01:00 public_reply",
        "2026-11-23T13:00+01:00 priority P1",
    ]
    state = target_at("owkin", lines, "2026-11-23T13:30+01:00", "response")
    assert state.state == State.MET
    assert state.breached_at is None


# --- reopening -------------------------------------------------------------------------------------------------


def test_a_reopened_request_does_not_count_the_time_it_was_resolved():
    # owkin P2 resolution 8h from Mon 10:00, resolved Mon 12:00, reopened Tue 10:00. The gap's working time is
    # Mon 12:00-18:00 (6h) + Tue 09:00-10:00 (1h) = 7h, so due = add(15h, Mon 10:00) = Mon 8h + Tue 7h = Tue 16:00
    # (= reopened Tue 10:00 + the 6h left).
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority P2",
        "2026-11-23T12:00+01:00 resolved",
        "2026-11-24T10:00+01:00 reopened",
    ]
    resolved = target_at("owkin", lines, "2026-11-23T15:00+01:00", "resolution")
    assert resolved.state == State.MET
    assert resolved.stopped_at == at("2026-11-23T12:00+01:00")
    reopened = target_at("owkin", lines, "2026-11-24T11:00+01:00", "resolution")
    assert reopened.state == State.RUNNING
    assert reopened.stopped_at is None
    assert reopened.due_at == at("2026-11-24T16:00+01:00")
    assert reopened.remaining == 5 * H  # 8h - (2h on Monday + 1h since reopening)
    resolved_again = target_at(
        "owkin", [*lines, "2026-11-24T15:00+01:00 resolved"], "2026-11-24T17:00+01:00", "resolution"
    )
    assert resolved_again.state == State.MET
    assert resolved_again.stopped_at == at("2026-11-24T15:00+01:00")


def test_reopening_does_not_undo_a_public_reply():
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:30+01:00 public_reply",
        "2026-11-23T11:00+01:00 resolved",
        "2026-11-23T12:00+01:00 reopened",
    ]
    state = target_at("owkin", lines, "2026-11-23T15:00+01:00", "response")
    assert state.state == State.MET
    assert state.stopped_at == at("2026-11-23T10:30+01:00")


# --- the update cadence ----------------------------------------------------------------------------------------


def test_each_public_reply_restarts_the_update_cadence():
    # owkin P1 updates every 30m: replies at 10:20 and 10:45 make it due at 11:15.
    lines = [*OWKIN_P1, "2026-11-23T10:20+01:00 public_reply", "2026-11-23T10:45+01:00 public_reply"]
    state = target_at("owkin", lines, "2026-11-23T11:00+01:00", "update")
    assert state.state == State.RUNNING
    assert state.started_at == at("2026-11-23T10:45+01:00")
    assert state.due_at == at("2026-11-23T11:15+01:00")
    assert state.remaining == 15 * M


def test_an_overdue_update_falls_due_again_each_period():
    lines = [*OWKIN_P1, "2026-11-23T10:45+01:00 public_reply"]
    result = clocks_at("owkin", lines, "2026-11-23T11:40+01:00")
    state = result.target("update")
    assert state.state == State.BREACHED
    assert state.breached_at == at("2026-11-23T11:15+01:00")
    assert state.remaining == -25 * M  # 30m - 55m
    # 55m consumed is one whole period: the next reminder is after two, 10:45 + 60m.
    assert timeline(state)[-1] == (at("2026-11-23T11:45+01:00"), "overdue", TWO, "")
    assert result.next_change == at("2026-11-23T11:45+01:00")  # before the resolution's 50% warning at 12:00
    later = target_at("owkin", lines, "2026-11-23T11:50+01:00", "update")
    assert timeline(later)[-1] == (at("2026-11-23T12:15+01:00"), "overdue", Fraction(3), "")  # 65m: 10:45 + 90m


def test_an_overdue_update_is_due_at_each_period_it_passes_and_says_how_many():
    # owkin P1 update every 30m, restarted by the reply at 10:45: due 11:15, then 11:45, 12:15, 12:45...
    lines = [*OWKIN_P1, "2026-11-23T10:45+01:00 public_reply"]
    at_11_50 = target_at("owkin", lines, "2026-11-23T11:50+01:00", "update")
    assert [m for m in timeline(at_11_50) if m[1] in ("breach", "overdue")] == [
        (at("2026-11-23T11:15+01:00"), "breach", ONE, ""),
        (at("2026-11-23T11:45+01:00"), "overdue", TWO, ""),  # the period just passed: due now
        (at("2026-11-23T12:15+01:00"), "overdue", Fraction(3), ""),  # the next one
    ]
    # After downtime until 12:50: 3 periods passed (11:15, 11:45, 12:15, and 12:45 is the fourth).
    at_12_50 = target_at("owkin", lines, "2026-11-23T12:50+01:00", "update")
    overdue = [m for m in timeline(at_12_50) if m[1] == "overdue"]
    assert overdue == [
        (at("2026-11-23T12:45+01:00"), "overdue", Fraction(4), ""),
        (at("2026-11-23T13:15+01:00"), "overdue", Fraction(5), ""),
    ]


def test_overdue_periods_run_on_the_targets_calendar():
    # A reply at 17:20: due 17:50, then 30m later = 10m on Monday + 20m on Tuesday = Tue 09:20.
    lines = [*OWKIN_P1, "2026-11-23T17:20+01:00 public_reply"]
    state = target_at("owkin", lines, "2026-11-24T09:25+01:00", "update")
    assert [m[:3] for m in timeline(state) if m[1] == "overdue"] == [
        (at("2026-11-24T09:20+01:00"), "overdue", TWO),
        (at("2026-11-24T09:50+01:00"), "overdue", Fraction(3)),
    ]


def test_a_target_says_whether_it_recurs_started_or_not():
    before = clocks_at("owkin", ["2026-11-23T09:00+01:00 priority P1"], "2026-11-23T09:30+01:00")
    after = clocks_at("owkin", OWKIN_P1, "2026-11-23T10:10+01:00")
    assert (before.target("update").state, after.target("update").state) == (State.PENDING, State.RUNNING)
    for result in (before, after):
        assert [state.name for state in result.targets if state.recurs] == ["update"]


def test_an_overdue_update_reminder_waits_for_the_next_working_morning():
    # A reply at 17:45: due at 17:45 + 30m = 15m on Monday + 15m on Tuesday = Tue 09:15; overdue again Tue 09:45.
    lines = [*OWKIN_P1, "2026-11-23T17:45+01:00 public_reply"]
    state = target_at("owkin", lines, "2026-11-24T09:30+01:00", "update")
    assert state.breached_at == at("2026-11-24T09:15+01:00")
    assert timeline(state)[-1] == (at("2026-11-24T09:45+01:00"), "overdue", TWO, "")


def test_resolving_the_request_stops_the_update_cadence():
    lines = [*OWKIN_P1, "2026-11-23T10:45+01:00 public_reply", "2026-11-23T11:30+01:00 resolved"]
    result = clocks_at("owkin", lines, "2026-11-23T12:00+01:00")
    state = result.target("update")
    assert state.state == State.BREACHED  # it was due at 11:15
    assert state.stopped_at == at("2026-11-23T11:30+01:00")
    assert state.breached_at == at("2026-11-23T11:15+01:00")
    assert all(when < at("2026-11-23T11:30+01:00") for when, *_ in timeline(state))
    assert result.next_change is None


def test_a_public_reply_after_resolution_does_not_restart_the_update_cadence():
    # The request is resolved at 11:00; a courtesy reply at 11:30 must not start a new update period.
    # The last update before resolution was 10:20, so the 30m period was due at 10:50 and was missed.
    lines = [
        *OWKIN_P1,
        "2026-11-23T10:20+01:00 public_reply",
        "2026-11-23T11:00+01:00 resolved",
        "2026-11-23T11:30+01:00 public_reply",
    ]
    result = clocks_at("owkin", lines, "2026-11-23T11:40+01:00")
    state = result.target("update")
    assert state.state == State.BREACHED
    assert state.breached_at == at("2026-11-23T10:50+01:00")
    assert state.stopped_at == at("2026-11-23T11:00+01:00")
    assert result.next_change is None


def test_a_reply_while_resolved_restarts_the_update_cadence_only_from_the_reopening():
    # Reading: a reply is an update even while the request is resolved, but the time between the resolution
    # (11:00) and the reopening (14:00) does not count, so the 30m period runs from 14:00: due 14:30.
    lines = [
        *OWKIN_P1,
        "2026-11-23T11:00+01:00 resolved",
        "2026-11-23T12:00+01:00 public_reply",
        "2026-11-23T14:00+01:00 reopened",
    ]
    state = target_at("owkin", lines, "2026-11-23T14:10+01:00", "update")
    assert state.state == State.RUNNING
    assert state.due_at == at("2026-11-23T14:30+01:00")


# --- next_release and none -------------------------------------------------------------------------------------


def test_a_medium_defect_fix_is_due_at_the_next_fortnightly_release():
    state = target_at("kissflow", KISSFLOW_MEDIUM_DEFECT, "2026-11-23T12:00+05:30", "fix")
    assert state.state == State.RUNNING
    assert state.due_at == at("2026-11-24T10:00+05:30")
    assert state.remaining == 22 * H  # 24 weekday hours to the release, 2h of them used
    # Confirmed a moment after that release: the next one, two weeks later.
    lines = [*KISSFLOW_MEDIUM_DEFECT[:3], "2026-11-24T10:00:01+05:30 defect_confirmed"]
    assert target_at("kissflow", lines, "2026-11-24T12:00+05:30", "fix").due_at == at("2026-12-08T10:00+05:30")
    # Confirmed exactly at a release: that release ("on or after").
    fix = preset("kissflow").target(None, "defect", "medium", "fix")
    assert due_at(preset("kissflow"), fix, at("2026-11-24T10:00+05:30")) == at("2026-11-24T10:00+05:30")


def test_a_release_is_due_when_it_happens_even_outside_working_hours():
    policy = parse_policy(RELEASES_OUTSIDE_HOURS, source="releases.toml")
    lines = ["2026-11-27T16:00+01:00 complete", "2026-11-27T16:00+01:00 defect_confirmed"]
    state = target_at(policy, lines, "2026-11-27T16:30+01:00", "fix")
    assert state.due_at == at("2026-11-28T08:00+01:00")  # a Saturday, 08:00
    assert state.remaining == 30 * M  # Friday 16:00-17:00 is the only working time before it
    # From Saturday morning the next is Tuesday 20:00, after closing.
    lines = ["2026-11-28T09:00+01:00 complete", "2026-11-28T09:00+01:00 defect_confirmed"]
    assert target_at(policy, lines, "2026-11-28T10:00+01:00", "fix").due_at == at("2026-12-01T20:00+01:00")


def test_pauses_do_not_move_a_release():
    lines = [*KISSFLOW_MEDIUM_DEFECT, "2026-11-23T12:00+05:30 pause", "2026-11-23T20:00+05:30 resume"]
    state = target_at("kissflow", lines, "2026-11-23T21:00+05:30", "fix")
    assert state.due_at == at("2026-11-24T10:00+05:30")
    assert state.paused == timedelta(0)  # pauses do not apply to a release
    fix = preset("kissflow").target(None, "defect", "medium", "fix")
    pauses = [Span(at("2026-11-23T12:00+05:30"), at("2026-11-23T20:00+05:30"))]
    assert due_at(preset("kissflow"), fix, at("2026-11-23T10:00+05:30"), pauses) == at("2026-11-24T10:00+05:30")


def test_a_paused_release_target_has_no_working_time_left_at_the_release():
    # Paused 2h, the fix is still due at the release, Tue 10:00; at that instant it is breached with nothing left.
    lines = [*KISSFLOW_MEDIUM_DEFECT, "2026-11-23T12:00+05:30 pause", "2026-11-23T14:00+05:30 resume"]
    state = target_at("kissflow", lines, "2026-11-24T10:00+05:30", "fix")
    assert state.state == State.BREACHED
    assert state.remaining == timedelta(0)


def test_a_long_pause_does_not_push_a_release_s_warnings_past_the_release():
    # Paused from Monday 12:00 until after the release: the warnings stay at 50% and 80% of the 24 weekday hours
    # from confirmation to the release (Mon 10:00 + 12h = 22:00, + 19h12m = Tue 05:12), before the breach.
    lines = [*KISSFLOW_MEDIUM_DEFECT, "2026-11-23T12:00+05:30 pause", "2026-12-02T12:00+05:30 resume"]
    state = target_at("kissflow", lines, "2026-12-03T12:00+05:30", "fix")
    assert timeline(state) == [
        (at("2026-11-23T22:00+05:30"), "warning", HALF, ""),
        (at("2026-11-24T05:12+05:30"), "warning", FOUR_FIFTHS, ""),
        (at("2026-11-24T10:00+05:30"), "breach", ONE, ""),
    ]


def test_a_release_the_tracker_plans_replaces_the_policy_s_next_release():
    # The issue is put in a milestone due on Tuesday 1 December 18:00; moved later to the 8th at 12:00.
    lines = [*KISSFLOW_MEDIUM_DEFECT, "2026-11-23T11:00+05:30 release 2026-12-01T18:00:00+05:30"]
    state = target_at("kissflow", lines, "2026-11-23T12:00+05:30", "fix")
    assert state.due_at == at("2026-12-01T18:00+05:30")
    assert state.remaining == 150 * H  # Mon 14h + Tue-Fri 96h + Mon 24h + Tue 18h = 152h of weekdays, 2h used
    lines = [*lines, "2026-11-24T09:00+05:30 release 2026-12-08T12:00:00+05:30"]
    assert target_at("kissflow", lines, "2026-11-24T10:00+05:30", "fix").due_at == at("2026-12-08T12:00+05:30")
    # The milestone taken off: the policy's next release again (Tuesday 24th, 10:00).
    lines = [*lines, "2026-11-24T09:30+05:30 release"]
    assert target_at("kissflow", lines, "2026-11-24T09:40+05:30", "fix").due_at == at("2026-11-24T10:00+05:30")


def test_a_release_planned_before_the_defect_was_confirmed_is_already_breached():
    lines = [*KISSFLOW_MEDIUM_DEFECT, "2026-11-23T11:00+05:30 release 2026-11-20T10:00:00+05:30"]
    state = target_at("kissflow", lines, "2026-11-23T12:00+05:30", "fix")
    assert state.state == State.BREACHED
    assert state.due_at == at("2026-11-20T10:00+05:30")


def test_a_fix_reopened_in_the_tracker_runs_again_without_counting_the_time_it_was_closed():
    # kissflow high defect, fix 1w from Mon 11:00; closed Tue 11:00 (24h used), reopened Wed 11:00: the 24h while
    # it was closed does not count, so it is due a weekday later than at first: Tue 1 Dec 11:00.
    lines = [
        "2026-11-23T09:00+05:30 complete",
        "2026-11-23T11:00+05:30 kind defect",
        "2026-11-23T11:00+05:30 priority high",
        "2026-11-23T11:00+05:30 defect_confirmed",
        "2026-11-24T11:00+05:30 fix",
    ]
    assert target_at("kissflow", lines, "2026-11-24T12:00+05:30", "fix").state == State.MET
    lines = [*lines, "2026-11-25T11:00+05:30 fix_reopened"]
    state = target_at("kissflow", lines, "2026-11-25T12:00+05:30", "fix")
    assert state.state == State.RUNNING
    assert state.due_at == at("2026-12-01T11:00+05:30")
    # A fix_reopened undoes nothing else: a resolution stays a resolution.
    resolved = [*lines[:4], "2026-11-24T11:00+05:30 resolved", "2026-11-25T11:00+05:30 fix_reopened"]
    assert target_at("kissflow", resolved, "2026-11-25T12:00+05:30", "fix").state == State.MET


def test_a_release_target_without_any_scheduled_release_has_no_deadline():
    policy = parse_policy(NO_RELEASES, source="unscheduled.toml")
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T10:00+01:00 defect_confirmed"]
    result = clocks_at(policy, lines, "2026-11-23T12:00+01:00")
    assert result.target("fix").state == State.NO_DEADLINE
    assert result.target("fix").due_at is None
    assert result.next_change is None


def test_as_seen_fit_targets_have_no_deadline_until_they_are_met():
    # kissflow low defects: workaround and fix "none"; the response (48h) still runs.
    lines = [
        "2026-11-23T09:00+05:30 complete",
        "2026-11-23T09:00+05:30 kind defect",
        "2026-11-23T10:00+05:30 defect_confirmed",
    ]
    result = clocks_at("kissflow", lines, "2026-11-23T12:00+05:30")
    for name in ("workaround", "fix"):
        state = result.target(name)
        assert state.state == State.NO_DEADLINE
        assert (state.due_at, state.remaining, state.breached_at, state.milestones) == (None, None, None, ())
        assert state.started_at == at("2026-11-23T10:00+05:30")
    assert result.next_change == at("2026-11-24T10:00+05:30")  # the response's 50% warning: 10:00 + 24h
    with_workaround = clocks_at("kissflow", [*lines, "2026-11-25T10:00+05:30 workaround"], "2026-11-25T12:00+05:30")
    assert with_workaround.target("workaround").state == State.MET
    assert with_workaround.target("workaround").stopped_at == at("2026-11-25T10:00+05:30")
    assert with_workaround.target("fix").state == State.NO_DEADLINE
    fixed = clocks_at("kissflow", [*lines, "2026-11-25T10:00+05:30 fix"], "2026-11-25T12:00+05:30")
    assert fixed.target("fix").state == fixed.target("workaround").state == State.MET  # a fix is a workaround too


# --- escalations -----------------------------------------------------------------------------------------------


def test_a_critical_k0nsult_request_goes_to_management_as_soon_as_it_starts():
    # Starter S1: resolution 5d = 40h from Mon 10:00 Warsaw: Mon 7h, Tue-Fri 32h, Mon 30 1h -> Nov 30 10:00.
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T10:00+01:00 priority S1"]
    state = target_at("k0nsult", lines, "2026-11-23T10:05+01:00", "resolution")
    assert timeline(state) == [
        (at("2026-11-23T10:00+01:00"), "escalation", Fraction(0), "L3"),  # immediately
        (at("2026-11-25T14:00+01:00"), "warning", HALF, ""),  # 20h: Mon 7h, Tue 8h, Wed 5h
        (at("2026-11-27T10:00+01:00"), "warning", FOUR_FIFTHS, ""),  # 32h: Mon-Thu 31h, Fri 1h
        (at("2026-11-30T10:00+01:00"), "breach", ONE, ""),
        (at("2026-11-30T10:00+01:00"), "escalation", ONE, "L2"),
        (at("2026-12-07T10:00+01:00"), "escalation", TWO, "L3"),  # 80h: another 40h from Nov 30 10:00
    ]


def test_an_enterprise_request_goes_to_management_at_the_breach():
    lines = [
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority S3",
        "2026-11-23T10:00+01:00 plan enterprise",
    ]
    state = target_at("k0nsult", lines, "2026-11-23T10:05+01:00", "resolution")
    # 1d = 8h: Mon 7h + Tue 1h -> Tue 10:00.
    assert [(when, what, level) for when, what, _, level in timeline(state) if what != "warning"] == [
        (at("2026-11-24T10:00+01:00"), "breach", ""),
        (at("2026-11-24T10:00+01:00"), "escalation", "L3"),
    ]


def test_professional_escalations_at_one_and_two_resolution_cycles_skip_the_weekend():
    # Professional S3: resolution 3d = 24h from Thu 13:00: Thu 4h, Fri 8h, Mon 8h (20h), Tue 4h -> Tue Dec 1 13:00;
    # twice that, 48h: Tue 4h more (28h), Wed 8h, Thu 8h (44h), Fri 4h -> Fri Dec 4 13:00.
    lines = [
        "2026-11-26T13:00+01:00 complete",
        "2026-11-26T13:00+01:00 priority S3",
        "2026-11-26T13:00+01:00 plan professional",
    ]
    result = clocks_at("k0nsult", lines, "2026-12-02T09:00+01:00")
    state = result.target("resolution")
    assert state.state == State.BREACHED
    assert [(when, level) for when, what, _, level in timeline(state) if what == "escalation"] == [
        (at("2026-12-01T13:00+01:00"), "L2"),
        (at("2026-12-04T13:00+01:00"), "L3"),
    ]
    assert result.next_change == at("2026-12-04T13:00+01:00")


def test_a_critical_livepro_outage_diverts_to_the_backup_data_centre_after_thirty_minutes_any_day():
    # Saturday 02:00 Sydney: critical targets run on `always`.
    lines = ["2026-11-28T02:00+11:00 complete", "2026-11-28T02:00+11:00 priority critical"]
    result = clocks_at("livepro", lines, "2026-11-28T02:10+11:00")
    restore = result.target("restore")
    assert restore.label == "Restore service"
    assert restore.calendar == "always"
    assert restore.due_at == at("2026-11-28T02:30+11:00")
    steps = [milestone for milestone in restore.milestones if milestone.what == "escalation"]
    assert [(step.at, step.escalation.to, step.escalation.message) for step in steps if step.escalation] == [
        (at("2026-11-28T02:30+11:00"), "L2", "Divert to the backup data centre.")
    ]
    assert result.target("response").due_at == at("2026-11-28T02:15+11:00")  # acknowledge within 15m
    assert result.next_change == at("2026-11-28T02:12+11:00")  # the acknowledgement's 80% warning: 12m


def test_milestones_after_the_stop_are_dropped():
    # Restored at 02:20: only the 50% warning (02:15) came before; 80% (02:24), breach and escalation are dropped.
    lines = [
        "2026-11-28T02:00+11:00 complete",
        "2026-11-28T02:00+11:00 priority critical",
        "2026-11-28T02:20+11:00 restored",
    ]
    state = target_at("livepro", lines, "2026-11-28T03:00+11:00", "restore")
    assert state.state == State.MET
    assert timeline(state) == [(at("2026-11-28T02:15+11:00"), "warning", HALF, "")]


def test_an_immediate_escalation_happens_at_the_start_even_when_the_request_starts_paused():
    # k0nsult S1 goes to management "immediately"; the client was already being waited on (paused since 09:00)
    # when the request was completed at 10:00. The L3 step is at 10:00, not at the resume (12:00).
    lines = [
        "2026-11-23T09:00+01:00 pause",
        "2026-11-23T10:00+01:00 complete",
        "2026-11-23T10:00+01:00 priority S1",
        "2026-11-23T12:00+01:00 resume",
    ]
    for now in ("2026-11-23T11:00+01:00", "2026-11-23T13:00+01:00"):
        state = target_at("k0nsult", lines, now, "resolution")
        assert [(when, level) for when, what, _, level in timeline(state) if what == "escalation"][:1] == [
            (at("2026-11-23T10:00+01:00"), "L3")
        ]


# --- warnings and the next change ------------------------------------------------------------------------------


def test_warnings_at_half_and_four_fifths_of_a_target_spanning_a_night():
    # owkin P1 resolution 4h from Mon 16:00: 50% = 2h -> Mon 18:00 (closing, the earliest instant);
    # 80% = 3h12m -> Mon 2h + Tue 1h12m = Tue 10:12; breach: Mon 2h + Tue 2h = Tue 11:00.
    lines = ["2026-11-23T16:00+01:00 complete", "2026-11-23T16:00+01:00 priority P1"]
    state = target_at("owkin", lines, "2026-11-23T16:30+01:00", "resolution")
    assert timeline(state) == [
        (at("2026-11-23T18:00+01:00"), "warning", HALF, ""),
        (at("2026-11-24T10:12+01:00"), "warning", FOUR_FIFTHS, ""),
        (at("2026-11-24T11:00+01:00"), "breach", ONE, ""),
    ]


def test_next_change_is_the_earliest_future_milestone_of_any_target():
    # owkin P2 from Mon 16:00: response 2h (50% at 17:00), resolution 8h (50% = 4h: Mon 2h + Tue 2h = Tue 11:00),
    # update 1d = 9h (50% = 4h30m: Tue 11:30).
    lines = ["2026-11-23T16:00+01:00 complete", "2026-11-23T16:00+01:00 priority P2"]
    assert clocks_at("owkin", lines, "2026-11-23T16:30+01:00").next_change == at("2026-11-23T17:00+01:00")
    # At exactly 17:00 that warning is now, not future: next is the response's 80% at 16:00 + 96m = 17:36.
    assert clocks_at("owkin", lines, "2026-11-23T17:00+01:00").next_change == at("2026-11-23T17:36+01:00")
    # Answered at 16:10: the response is met and the update restarts from 16:10 (50% Tue 11:40); resolution first.
    replied = [*lines, "2026-11-23T16:10+01:00 public_reply"]
    assert clocks_at("owkin", replied, "2026-11-23T16:30+01:00").next_change == at("2026-11-24T11:00+01:00")
    # Resolved Tue 12:00: nothing is running any more.
    resolved = [*replied, "2026-11-24T12:00+01:00 resolved"]
    assert clocks_at("owkin", resolved, "2026-11-24T12:30+01:00").next_change is None


# --- instants and zones ----------------------------------------------------------------------------------------


def test_events_after_now_are_not_seen():
    lines = ["2026-11-23T10:00+01:00 complete", "2026-11-23T11:00:00.000001+01:00 public_reply"]
    assert target_at("owkin", lines, "2026-11-23T11:00+01:00", "response").state == State.RUNNING
    assert target_at("owkin", lines, "2026-11-23T11:00:00.000001+01:00", "response").state == State.MET
    future_start = ["2026-11-23T12:00+01:00 complete"]
    assert target_at("owkin", future_start, "2026-11-23T11:00+01:00", "response").state == State.PENDING


def test_naive_instants_are_refused():
    policy = preset("owkin")
    naive = datetime(2026, 11, 23, 10, 0)
    with pytest.raises(NaiveInstantError):
        clocks(policy, log("2026-11-23T10:00+01:00 complete"), naive)
    with pytest.raises(NaiveInstantError):
        clocks(policy, [Event(naive, "complete")], at("2026-11-23T11:00+01:00"))
    target = policy.target(None, None, "P1", "resolution")
    with pytest.raises(NaiveInstantError):
        due_at(policy, target, naive)
    with pytest.raises(NaiveInstantError):
        due_at(policy, target, at("2026-11-23T10:00+01:00"), [Span(naive, at("2026-11-23T11:00+01:00"))])


def test_events_in_mixed_zones_give_the_same_result():
    paris = [*OWKIN_P1, "2026-11-23T11:00+01:00 pause", "2026-11-23T12:00+01:00 resume"]
    mixed = [
        "2026-11-23T09:00+00:00 complete",
        "2026-11-23T10:00+01:00 priority P1",
        "2026-11-23T05:00-05:00 pause",
        "2026-11-23T11:00Z resume",
    ]
    in_paris = clocks_at("owkin", paris, "2026-11-23T13:00+01:00")
    assert clocks_at("owkin", mixed, "2026-11-23T12:00Z") == in_paris
    assert in_paris.target("resolution").due_at == at("2026-11-23T15:00+01:00")  # 10:00 + 4h + 1h paused
    reported = [instant for instant in instants(in_paris) if instant is not in_paris.next_change]
    assert {instant.tzinfo for instant in reported} == {ZoneInfo("Europe/Paris")}
    assert in_paris.next_change.tzinfo == UTC  # for the scheduler's index


def test_each_target_reports_its_instants_in_its_own_calendar_zone():
    policy = parse_policy(TWO_ZONES, source="zones.toml")
    result = clocks_at(policy, ["2026-11-23T10:00+01:00 complete"], "2026-11-23T10:10+01:00")
    response, resolution = result.target("response"), result.target("resolution")
    assert response.due_at == at("2026-11-23T19:00+09:00")  # 10:00 Paris is 18:00 Tokyo, + 1h
    response_instants = [response.started_at, response.due_at, *(milestone.at for milestone in response.milestones)]
    assert {instant.tzinfo for instant in response_instants if instant} == {ZoneInfo("Asia/Tokyo")}
    assert resolution.due_at == at("2026-11-23T14:00+01:00")
    assert resolution.due_at.tzinfo == resolution.started_at.tzinfo == ZoneInfo("Europe/Paris")
    assert result.next_change == at("2026-11-23T18:30+09:00")  # the response's 50% warning
    assert result.next_change.tzinfo == UTC
    assert result.now.utcoffset() == timedelta(0)
    assert result.now == datetime(2026, 11, 23, 9, 10, tzinfo=UTC)


def test_a_critical_livepro_restore_spanning_the_sydney_spring_forward_counts_real_minutes():
    # 2026-10-04 02:00 AEST becomes 03:00 AEDT. From 01:45 (+10:00), 30 real minutes end at 03:15 (+11:00).
    lines = ["2026-10-04T01:45+10:00 complete", "2026-10-04T01:45+10:00 priority critical"]
    state = target_at("livepro", lines, "2026-10-04T01:50+10:00", "restore")
    assert state.due_at == at("2026-10-04T03:15+11:00")
    assert state.due_at.utcoffset() == timedelta(hours=11)


# --- due_at ----------------------------------------------------------------------------------------------------


# "POLICY PLAN KIND PRIORITY TARGET START [PAUSED/RESUMED ...]", "-" for the policy's default plan or kind.
DUE_AT_CASES = [
    "owkin - - P1 resolution 2026-11-26T16:00+01:00 2026-11-26T17:00+01:00/2026-11-30T10:00+01:00",
    "owkin - - P1 response 2026-11-23T10:00+01:00 2026-11-23T10:10+01:00/2026-11-23T10:40+01:00",
    "kiwi plus - P1 resolution 2026-11-28T22:00-05:00 2026-11-28T23:00-05:00/2026-11-29T01:00-05:00",
    "kissflow - defect medium fix 2026-11-23T10:00+05:30 2026-11-23T12:00+05:30/2026-11-23T20:00+05:30",
    "kissflow - defect low fix 2026-11-23T10:00+05:30",
    "k0nsult professional - S3 resolution 2026-11-26T13:00+01:00 2026-11-27T09:00+01:00/2026-11-27T12:00+01:00",
]


@pytest.mark.parametrize("case", DUE_AT_CASES)
def test_due_at_agrees_with_the_clocks(case):
    name, plan, kind, priority, target_name, start, *pauses = case.split()
    policy = preset(name)
    lines = [f"{start} complete", f"{start} defect_confirmed", f"{start} priority {priority}"]
    lines += [f"{start} plan {plan}"] * (plan != "-") + [f"{start} kind {kind}"] * (kind != "-")
    spans = [tuple(pause.split("/")) for pause in pauses]
    for paused, resumed in spans:
        lines += [f"{paused} pause", f"{resumed} resume"]
    now = max([start, *(resumed for _, resumed in spans)], key=at)
    target = policy.target(None if plan == "-" else plan, None if kind == "-" else kind, priority, target_name)
    expected = target_at(policy, lines, now, target_name).due_at
    assert (expected is None) == (priority == "low")  # only kissflow's low defect fix is "none"
    assert due_at(policy, target, at(start), [Span(at(a), at(b)) for a, b in spans]) == expected
