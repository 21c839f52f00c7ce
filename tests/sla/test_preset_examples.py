"""Every preset target on a hand-worked example taken from its document's numbers.

Each case is: preset, plan (None: the default), kind (None: the default), the priorities it holds for, the target,
the instant the target starts and the deadline worked out by hand, with the arithmetic in a comment. Instants carry
the UTC offset in force, so a change of offset in a case is a daylight-saving change.

Calendars (from the presets):
- owkin: Paris, Mon-Fri 09:00-18:00 (1d = 9h), French holidays.
- kissflow: Kolkata, Mon-Fri 00:00-24:00 (1d = 24h, 1w = 5d), no holidays; releases every other Tuesday 10:00 IST
  from 2026-01-06.
- k0nsult: Warsaw, Mon-Fri 09:00-17:00 (1d = 8h), Polish holidays.
- livepro: Sydney, Mon-Fri 08:00-20:00 (1d = 12h), NSW holidays; critical on `always`.
- kiwi: Toronto, Mon-Fri 08:00-17:00 (1d = 9h), Quebec holidays; PLUS P1 on `always`.
"""

from datetime import UTC

import pytest

from sla.durations import WorkingDuration
from tests.sla.policy_helpers import at, due, preset


def case(name, plan, kind, priorities, target, opened, deadline):
    """One hand-worked example, for each of the space-separated `priorities` it holds for ("all": every one)."""
    if priorities == "all":
        priorities = " ".join(priority.name for priority in preset(name).priorities)
    values = [(name, plan, kind, priority, target, opened, deadline) for priority in priorities.split()]
    return [pytest.param(*row, id="-".join(filter(None, row[:6]))) for row in values]


EXAMPLES = [
    # --- owkin -------------------------------------------------------------------------------------------------
    # P1 response 1h from Tue 17:30: 30 min Tue (to 18:00) + 30 min Wed (from 09:00).
    *case("owkin", None, None, "P1", "response", "2026-11-24T17:30+01:00", "2026-11-25T09:30+01:00"),
    # P1 resolution 4h from Tue 17:30: 30 min Tue + 3h30 Wed 09:00-12:30.
    *case("owkin", None, None, "P1", "resolution", "2026-11-24T17:30+01:00", "2026-11-25T12:30+01:00"),
    # P1 update every 30m from Tue 17:45: 15 min Tue + 15 min Wed.
    *case("owkin", None, None, "P1", "update", "2026-11-24T17:45+01:00", "2026-11-25T09:15+01:00"),
    # P2 response 2h from Fri 23 Oct 17:00 CEST: 1h Fri; Paris falls back on Sun 25 Oct; 1h Mon from 09:00 CET.
    *case("owkin", None, None, "P2", "response", "2026-10-23T17:00+02:00", "2026-10-26T10:00+01:00"),
    # P2 resolution 8h from Mon 09:00: within Monday's nine hours, Mon 17:00.
    *case("owkin", None, None, "P2", "resolution", "2026-11-23T09:00+01:00", "2026-11-23T17:00+01:00"),
    # P2 update "at least daily" = 1d = 9h from Mon 14:00: 4h Mon + 5h Tue (09:00-14:00).
    *case("owkin", None, None, "P2", "update", "2026-11-23T14:00+01:00", "2026-11-24T14:00+01:00"),
    # P3 response 2h from Tue 10 Nov 17:00: 1h Tue; Wed 11 Nov is Armistice Day; 1h Thu.
    *case("owkin", None, None, "P3", "response", "2026-11-10T17:00+01:00", "2026-11-12T10:00+01:00"),
    # P3 resolution 16h from Tue 10 Nov 14:00: 4h Tue; Wed 11 Nov holiday; 9h Thu (13h); 3h Fri -> Fri 12:00.
    *case("owkin", None, None, "P3", "resolution", "2026-11-10T14:00+01:00", "2026-11-13T12:00+01:00"),
    # P3 update "twice weekly" = 2.5d = 22h30 from Mon 09:00: 9h Mon + 9h Tue + 4h30 Wed -> Wed 13:30.
    *case("owkin", None, None, "P3", "update", "2026-11-23T09:00+01:00", "2026-11-25T13:30+01:00"),
    # P4 response 2h opened Saturday 11:00: nothing until Mon 09:00, then 2h -> Mon 11:00.
    *case("owkin", None, None, "P4", "response", "2026-11-28T11:00+01:00", "2026-11-30T11:00+01:00"),
    # P4 resolution 75h from Mon 21 Dec 09:00: 9h a day Mon-Thu (36h); Fri 25 Dec Christmas; Mon 28-Thu 31 (72h);
    # Fri 1 Jan New Year; 3h Mon 4 Jan -> 12:00.
    *case("owkin", None, None, "P4", "resolution", "2026-12-21T09:00+01:00", "2027-01-04T12:00+01:00"),
    # P4 update 2.5d = 22h30 from Fri 13:30: 4h30 Fri + 9h Mon + 9h Tue -> Tue 18:00 (the close).
    *case("owkin", None, None, "P4", "update", "2026-11-27T13:30+01:00", "2026-12-01T18:00+01:00"),
    # --- kissflow: chat conversations (every kind but confirmed defects) ------------------------------------
    # "within 24 hours on business days" from Fri 15:00: 9h Fri + weekend excluded + 15h Mon -> Mon 15:00.
    *case("kissflow", None, None, "all", "response", "2026-11-27T15:00+05:30", "2026-11-30T15:00+05:30"),
    # Republic Day (Mon 26 Jan) is not a holiday in the preset: 24h from Mon 09:00 is Tue 09:00.
    *case("kissflow", None, "incident", "all", "response", "2026-01-26T09:00+05:30", "2026-01-27T09:00+05:30"),
    # --- kissflow: confirmed defects, from confirmation -----------------------------------------------------
    # critical response 4h from Fri 22:00: 2h Fri + 2h Mon -> Mon 02:00.
    *case("kissflow", None, "defect", "critical", "response", "2026-11-27T22:00+05:30", "2026-11-30T02:00+05:30"),
    # critical workaround 4h confirmed Saturday 10:00: nothing until Mon 00:00, then 4h -> Mon 04:00.
    *case("kissflow", None, "defect", "critical", "workaround", "2026-11-28T10:00+05:30", "2026-11-30T04:00+05:30"),
    # critical fix 48h from Thu 12:00: 12h Thu + 24h Fri + 12h Mon -> Mon 12:00.
    *case("kissflow", None, "defect", "critical", "fix", "2026-11-26T12:00+05:30", "2026-11-30T12:00+05:30"),
    # high response 4h from Wed 10:00 -> Wed 14:00.
    *case("kissflow", None, "defect", "high", "response", "2026-11-25T10:00+05:30", "2026-11-25T14:00+05:30"),
    # high workaround 24h from Fri 06:00: 18h Fri + 6h Mon -> Mon 06:00.
    *case("kissflow", None, "defect", "high", "workaround", "2026-11-27T06:00+05:30", "2026-11-30T06:00+05:30"),
    # high fix "1 week" = five weekdays of 24h = 120h from Wed 09:00: 15 + 24 (Thu) + 24 (Fri) + 24 (Mon) + 24 (Tue)
    # + 9 (Wed) -> the next Wednesday 09:00.
    *case("kissflow", None, "defect", "high", "fix", "2026-11-25T09:00+05:30", "2026-12-02T09:00+05:30"),
    # medium response 8h from Fri 20:00: 4h Fri + 4h Mon -> Mon 04:00.
    *case("kissflow", None, "defect", "medium", "response", "2026-11-27T20:00+05:30", "2026-11-30T04:00+05:30"),
    # medium workaround "3 business days" = 72h from Thu 10:00: 14 + 24 (Fri) + 24 (Mon) + 10 (Tue) -> Tue 10:00.
    *case("kissflow", None, "defect", "medium", "workaround", "2026-11-26T10:00+05:30", "2026-12-01T10:00+05:30"),
    # medium fix "Next release": releases fall on Tue 24 Nov and Tue 8 Dec (2026-01-06 + 23 and 24 fortnights);
    # confirmed Wed 25 Nov -> Tue 8 Dec 10:00 IST.
    *case("kissflow", None, "defect", "medium", "fix", "2026-11-25T12:00+05:30", "2026-12-08T10:00+05:30"),
    # confirmed exactly at a release: that release ("on or after").
    *case("kissflow", None, "defect", "medium", "fix", "2026-11-24T10:00+05:30", "2026-11-24T10:00+05:30"),
    # confirmed a minute after it: the one two weeks later.
    *case("kissflow", None, "defect", "medium", "fix", "2026-11-24T10:01+05:30", "2026-12-08T10:00+05:30"),
    # low response 48h from Fri 00:00: 24h Fri + 24h Mon -> the end of Monday, Tue 00:00.
    *case("kissflow", None, "defect", "low", "response", "2026-11-27T00:00+05:30", "2026-12-01T00:00+05:30"),
    # low workaround and fix "As seen fit": no deadline.
    *case("kissflow", None, "defect", "low", "workaround", "2026-11-27T00:00+05:30", None),
    *case("kissflow", None, "defect", "low", "fix", "2026-11-27T00:00+05:30", None),
    # --- k0nsult: starter --------------------------------------------------------------------------------------
    # response "24 hours" in business time = three 8h days from Mon 10:00: 7h Mon + 8h Tue + 8h Wed + 1h Thu.
    *case("k0nsult", "starter", None, "all", "response", "2026-11-23T10:00+01:00", "2026-11-26T10:00+01:00"),
    # resolution "5 business days" = 40h from Wed 23 Dec 10:00: 7h Wed; Thu 24 (Christmas Eve), Fri 25 and Sat 26
    # are Polish holidays; 8h Mon 28, Tue 29, Wed 30, Thu 31 (39h); Fri 1 Jan holiday; 1h Mon 4 Jan -> 10:00.
    *case("k0nsult", "starter", None, "all", "resolution", "2026-12-23T10:00+01:00", "2027-01-04T10:00+01:00"),
    # --- k0nsult: professional ---------------------------------------------------------------------------------
    # S1 response 4h from Fri 15:00: 2h Fri + 2h Mon -> Mon 11:00.
    *case("k0nsult", "professional", None, "S1", "response", "2026-11-27T15:00+01:00", "2026-11-30T11:00+01:00"),
    # S2 response 8h from Tue 10 Nov 13:00: 4h Tue; Wed 11 Nov Independence Day; 4h Thu -> Thu 13:00.
    *case("k0nsult", "professional", None, "S2", "response", "2026-11-10T13:00+01:00", "2026-11-12T13:00+01:00"),
    # S3 response 24h = three business days from Mon 09:00 -> Wed 17:00.
    *case("k0nsult", "professional", None, "S3", "response", "2026-11-23T09:00+01:00", "2026-11-25T17:00+01:00"),
    # S4 response "3 business days" = 24h from Thu 12:00: 5h Thu + 8h Fri + 8h Mon + 3h Tue -> Tue 12:00.
    *case("k0nsult", "professional", None, "S4", "response", "2026-11-26T12:00+01:00", "2026-12-01T12:00+01:00"),
    # resolution "3 business days" = 24h from Thu 22 Oct 14:00 CEST: 3h Thu + 8h Fri; Warsaw falls back on Sun 25;
    # 8h Mon + 5h Tue -> Tue 14:00 CET.
    *case("k0nsult", "professional", None, "all", "resolution", "2026-10-22T14:00+02:00", "2026-10-27T14:00+01:00"),
    # --- k0nsult: enterprise -----------------------------------------------------------------------------------
    # S1 response 1h from Fri 16:30: 30 min Fri + 30 min Mon -> Mon 09:30.
    *case("k0nsult", "enterprise", None, "S1", "response", "2026-11-27T16:30+01:00", "2026-11-30T09:30+01:00"),
    # S2 response 4h opened Mon 07:00, before opening: Mon 09:00-13:00.
    *case("k0nsult", "enterprise", None, "S2", "response", "2026-11-23T07:00+01:00", "2026-11-23T13:00+01:00"),
    # S3 response 8h from Tue 10 Nov 15:00: 2h Tue; Wed 11 Nov holiday; 6h Thu -> Thu 15:00.
    *case("k0nsult", "enterprise", None, "S3", "response", "2026-11-10T15:00+01:00", "2026-11-12T15:00+01:00"),
    # S4 response "1 business day" = 8 business hours from Mon 13:00: 4h Mon + 4h Tue -> Tue 13:00.
    *case("k0nsult", "enterprise", None, "S4", "response", "2026-11-23T13:00+01:00", "2026-11-24T13:00+01:00"),
    # resolution "1 business day" = 8h from Tue 5 Jan 2027 13:00: 4h Tue; Wed 6 Jan Epiphany; 4h Thu -> Thu 13:00.
    *case("k0nsult", "enterprise", None, "all", "resolution", "2027-01-05T13:00+01:00", "2027-01-07T13:00+01:00"),
    # --- livepro ----------------------------------------------------------------------------------------------
    # critical acknowledged within 15 minutes, 24/7: Sunday 03:00 -> 03:15.
    *case("livepro", None, None, "critical", "response", "2026-11-22T03:00+11:00", "2026-11-22T03:15+11:00"),
    # critical restore within 30 minutes, 24/7: Sunday 03:00 -> 03:30.
    *case("livepro", None, None, "critical", "restore", "2026-11-22T03:00+11:00", "2026-11-22T03:30+11:00"),
    # across Sydney's fall-back (Sun 5 Apr, 03:00 AEDT becomes 02:00 AEST): from 02:50 AEDT, 10 real minutes to the
    # change, then 20 (restore) or 5 (response) -> 02:20 / 02:05 AEST.
    *case("livepro", None, None, "critical", "restore", "2026-04-05T02:50+11:00", "2026-04-05T02:20+10:00"),
    *case("livepro", None, None, "critical", "response", "2026-04-05T02:50+11:00", "2026-04-05T02:05+10:00"),
    # high acknowledged within 30 minutes from Fri 19:45: 15 min Fri + 15 min Mon -> Mon 08:15.
    *case("livepro", None, None, "high", "response", "2026-11-27T19:45+11:00", "2026-11-30T08:15+11:00"),
    # high corrective action "within 1 business day" = 12h from Fri 14:00: 6h Fri + 6h Mon -> Mon 14:00.
    *case("livepro", None, None, "high", "resolution", "2026-11-27T14:00+11:00", "2026-11-30T14:00+11:00"),
    # across the spring-forward weekend (Sun 4 Oct) and Labour Day (Mon 5 Oct, NSW) from Fri 2 Oct 14:00 AEST: 6h Fri;
    # Mon holiday; 6h Tue -> Tue 14:00 AEDT.
    *case("livepro", None, None, "high", "resolution", "2026-10-02T14:00+10:00", "2026-10-06T14:00+11:00"),
    # low acknowledged within 30 minutes, opened Saturday: Mon 08:00 + 30 min.
    *case("livepro", None, None, "low", "response", "2026-11-28T10:00+11:00", "2026-11-30T08:30+11:00"),
    # low "regular updates" = daily = 12h from Thu 24 Dec 14:00: 6h Thu; Fri 25 Christmas; Mon 28 Boxing Day
    # (observed); 6h Tue 29 -> 14:00.
    *case("livepro", None, None, "low", "update", "2026-12-24T14:00+11:00", "2026-12-29T14:00+11:00"),
    # --- kiwi: basic --------------------------------------------------------------------------------------------
    # P1 response 1hr from Fri 30 Oct 16:30 EDT: 30 min Fri; Toronto falls back on Sun 1 Nov; 30 min Mon from 08:00
    # EST.
    *case("kiwi", "basic", None, "P1", "response", "2026-10-30T16:30-04:00", "2026-11-02T08:30-05:00"),
    # P1 resolution 8hr from Mon 08:00 -> Mon 16:00.
    *case("kiwi", "basic", None, "P1", "resolution", "2026-11-23T08:00-05:00", "2026-11-23T16:00-05:00"),
    # P2 response 2hr from Tue 30 Jun 16:00: 1h Tue; Wed 1 Jul Canada Day; 1h Thu -> Thu 09:00.
    *case("kiwi", "basic", None, "P2", "response", "2026-06-30T16:00-04:00", "2026-07-02T09:00-04:00"),
    # P2 resolution 2d = 18h opened on Thanksgiving (Mon 12 Oct) 10:00: nothing Mon; 9h Tue + 9h Wed -> Wed 17:00.
    *case("kiwi", "basic", None, "P2", "resolution", "2026-10-12T10:00-04:00", "2026-10-14T17:00-04:00"),
    # P3 response 8hr from Thu 24 Dec 13:00: 4h Thu; Fri 25 Christmas; 4h Mon -> Mon 12:00.
    *case("kiwi", "basic", None, "P3", "response", "2026-12-24T13:00-05:00", "2026-12-28T12:00-05:00"),
    # P3 resolution 4d = 36h from Mon 22 Jun 13:00: 4h Mon + 9h Tue; Wed 24 Jun Fete nationale; 9h Thu + 9h Fri (31h);
    # 5h Mon 29 -> 13:00.
    *case("kiwi", "basic", None, "P3", "resolution", "2026-06-22T13:00-04:00", "2026-06-29T13:00-04:00"),
    # P4 response 4d = 36h from Mon 08:00: four whole days -> Thu 17:00.
    *case("kiwi", "basic", None, "P4", "response", "2026-11-23T08:00-05:00", "2026-11-26T17:00-05:00"),
    # P4 resolution 10d = 90h from Mon 21 Dec 08:00: Mon-Thu 36h; Fri 25 Dec holiday; Mon 28-Thu 31 (72h); Fri 1 Jan
    # holiday; Mon 4 + Tue 5 Jan (90h) -> Tue 17:00.
    *case("kiwi", "basic", None, "P4", "resolution", "2026-12-21T08:00-05:00", "2027-01-05T17:00-05:00"),
    # --- kiwi: plus ---------------------------------------------------------------------------------------------
    # P1 response "30min (24x7)" from Sat 23:50 -> Sun 00:20.
    *case("kiwi", "plus", None, "P1", "response", "2026-11-28T23:50-05:00", "2026-11-29T00:20-05:00"),
    # P1 resolution "4hr (24x7)" from Sat 23:50 -> Sun 03:50.
    *case("kiwi", "plus", None, "P1", "resolution", "2026-11-28T23:50-05:00", "2026-11-29T03:50-05:00"),
    # 4 real hours across the fall-back (Sun 1 Nov, 02:00 EDT becomes 01:00 EST): 00:00 EDT -> 03:00 EST.
    *case("kiwi", "plus", None, "P1", "resolution", "2026-11-01T00:00-04:00", "2026-11-01T03:00-05:00"),
    # 4 real hours across the spring-forward (Sun 8 Mar, 02:00 EST becomes 03:00 EDT): 00:30 EST -> 05:30 EDT.
    *case("kiwi", "plus", None, "P1", "resolution", "2026-03-08T00:30-05:00", "2026-03-08T05:30-04:00"),
    # P2 response 1hr from Fri 16:30: 30 min Fri + 30 min Mon -> Mon 08:30.
    *case("kiwi", "plus", None, "P2", "response", "2026-11-27T16:30-05:00", "2026-11-30T08:30-05:00"),
    # P2 resolution 1d = 9h from Wed 12:00: 5h Wed + 4h Thu -> Thu 12:00.
    *case("kiwi", "plus", None, "P2", "resolution", "2026-11-25T12:00-05:00", "2026-11-26T12:00-05:00"),
    # P3 response 4hr from Thu 2 Apr 15:00: 2h Thu; Fri 3 Apr Good Friday; Easter Monday is worked in Quebec; 2h Mon.
    *case("kiwi", "plus", None, "P3", "response", "2026-04-02T15:00-04:00", "2026-04-06T10:00-04:00"),
    # P3 resolution 2d = 18h from Mon 12:00: 5h Mon + 9h Tue + 4h Wed -> Wed 12:00.
    *case("kiwi", "plus", None, "P3", "resolution", "2026-11-23T12:00-05:00", "2026-11-25T12:00-05:00"),
    # P4 response 8hr from Mon 12:00: 5h Mon + 3h Tue -> Tue 11:00.
    *case("kiwi", "plus", None, "P4", "response", "2026-11-23T12:00-05:00", "2026-11-24T11:00-05:00"),
    # P4 resolution 5d = 45h from Mon 08:00: the whole week -> Fri 17:00.
    *case("kiwi", "plus", None, "P4", "resolution", "2026-11-23T08:00-05:00", "2026-11-27T17:00-05:00"),
]


@pytest.mark.parametrize(("name", "plan", "kind", "priority", "target", "opened", "deadline"), EXAMPLES)
def test_preset_deadline(name, plan, kind, priority, target, opened, deadline):
    policy = preset(name)
    result = due(policy, plan, kind, priority, target, at(opened))
    if deadline is None:
        assert result is None
        return
    # compared in UTC: Python never finds a zoneinfo time in a repeated (fall-back) hour equal to a fixed-offset one
    assert result.astimezone(UTC) == at(deadline).astimezone(UTC)
    if isinstance(policy.target(plan, kind, priority, target).duration, WorkingDuration):
        # a calendar's answer comes back in its own zone, with the offset in force at the deadline
        assert result.isoformat() == at(deadline).isoformat()


def test_every_preset_target_has_an_example():
    covered = set()
    for param in EXAMPLES:
        name, plan, kind, priority, target, _, _ = param.values
        policy = preset(name)
        plan_name = plan or policy.default_plan
        own_kind = kind if kind in policy.plan(plan_name).kind_targets else None
        covered.add((name, plan_name, own_kind, priority, target))
    required = set()
    for name in ("owkin", "kissflow", "k0nsult", "livepro", "kiwi"):
        for plan in preset(name).plans.values():
            for kind, table in ((None, plan.targets), *plan.kind_targets.items()):
                for priority, targets in table.items():
                    required |= {(name, plan.name, kind, priority, target.name) for target in targets}
    assert sorted(required - covered, key=str) == []
