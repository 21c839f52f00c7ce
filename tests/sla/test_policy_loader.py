"""Loading policy files: a valid minimal policy and its defaults; every invalid file gives one PolicyError whose
message names the file, the dotted key and the problem (DESIGN.md, "Policy files")."""

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from sla import presets
from sla.durations import WorkingDuration
from sla.policy import PolicyLookupError
from sla.policy_loader import load_policy, parse_policy
from sla.policy_reader import PolicyError

SOURCE = "mini.toml"

CALENDARS = """
[calendars.business]
time_zone = "Europe/Paris"
hours = { mon-fri = ["09:00-17:00"] }
"""

PRIORITIES = """
[[priorities]]
name = "high"

[[priorities]]
name = "low"
"""

PLANS = """
[plans.standard.targets.high]
response = "1h"
"""


def policy_text(top: str = "", calendars: str = CALENDARS, plans: str = PLANS, tail: str = "") -> str:
    """A small policy: root keys (`top`), calendars, the priorities high and low, plans, then any other tables."""
    return "\n".join((top, calendars, PRIORITIES, plans, tail))


def load_error(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source=SOURCE)
    return caught.value


def assert_refused(text: str, key: str, *words: str) -> None:
    """The policy is refused with an error on `key` whose problem contains each of `words`."""
    error = load_error(text)
    assert (error.source, error.key) == (SOURCE, key)
    assert str(error) == f"{SOURCE}: {key}: {error.problem}"
    for word in words:
        assert word in error.problem


# --- a valid minimal policy --------------------------------------------------------------------------------------


def test_minimal_policy_takes_the_documented_defaults():
    policy = parse_policy(policy_text(), source=SOURCE)
    assert policy.warnings == (Fraction(1, 2), Fraction(4, 5))
    assert policy.default_priority == "low"  # the last, lowest priority until an agent triages
    assert policy.default_plan == "standard"
    assert policy.default_kind == "incident"
    assert policy.calendar.name == "business"
    assert (policy.name, policy.title, policy.source) == ("mini", "mini", SOURCE)
    assert policy.matrix is None
    assert policy.escalations == ()
    assert policy.releases.is_empty
    assert not policy.closing.confirmation_required
    assert [(p.name, p.label, p.description) for p in policy.priorities] == [("high", "high", ""), ("low", "low", "")]
    target = policy.target(None, None, "high", "response")
    assert (target.duration, target.calendar.name, target.pausable) == (
        WorkingDuration(minutes=Fraction(60)),
        "business",
        False,
    )
    assert policy.targets(None, None, "low") == ()
    assert policy.plan().availability.target is None


def test_the_calendar_called_business_is_the_default_even_when_not_first():
    calendars = CALENDARS.replace("business", "night") + CALENDARS
    assert parse_policy(policy_text(calendars=calendars), source=SOURCE).calendar.name == "business"


def test_without_a_business_calendar_the_first_is_the_default():
    calendars = CALENDARS.replace("business", "office")
    policy = parse_policy(policy_text(calendars=calendars), source=SOURCE)
    assert policy.calendar.name == "office"
    assert policy.target(None, None, "high", "response").calendar.name == "office"


def test_any_row_applies_to_every_priority_and_a_priority_row_overrides_it():
    plans = """
[plans.standard.targets.any]
response = "8h"
resolution = "3d"

[plans.standard.targets.high]
response = "1h"
"""
    policy = parse_policy(policy_text(plans=plans), source=SOURCE)
    written = {p: {t.name: str(t.duration) for t in policy.targets(None, None, p)} for p in ("high", "low")}
    assert written == {"high": {"response": "1h", "resolution": "3d"}, "low": {"response": "8h", "resolution": "3d"}}


def test_percentages_are_exact_decimals():
    plans = (
        PLANS
        + """
[plans.standard]
availability = 99.9

[[plans.standard.credits]]
at_least = 99.0
below = 99.9
credit = 5
"""
    )
    terms = parse_policy(policy_text(plans=plans), source=SOURCE).plan().availability
    assert terms.target == Fraction(999, 10)
    assert terms.credit_for(Fraction("99.89")) == 5
    assert terms.credit_for(Fraction("99.9")) == 0


def test_warnings_are_sorted_exact_fractions():
    policy = parse_policy(policy_text(top="warnings = [0.9, 0.25]"), source=SOURCE)
    assert policy.warnings == (Fraction(1, 4), Fraction(9, 10))


def test_an_escalation_defaults_to_the_resolution_target_and_level_2():
    policy = parse_policy(policy_text(tail="[[escalations]]\nat = 1.5\n"), source=SOURCE)
    step = policy.escalations[0]
    assert (step.target, step.at, step.to, step.priorities, step.plans) == (
        "resolution",
        Fraction(3, 2),
        "L2",
        frozenset(),
        frozenset(),
    )


def test_a_release_schedule_of_listed_instants_and_a_recurrence():
    tail = """
[releases]
dates = [2026-12-01T10:00:00+01:00]
first = 2026-01-06T10:00:00
every_weeks = 2
"""
    releases = parse_policy(policy_text(tail=tail), source=SOURCE).releases
    # listed 1 Dec 09:00 UTC comes before the recurring Tue 8 Dec 10:00 Paris
    assert releases.next_on_or_after(datetime(2026, 11, 25, tzinfo=UTC)) == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert releases.next_on_or_after(datetime(2026, 12, 2, tzinfo=UTC)) == datetime(2026, 12, 8, 9, tzinfo=UTC)


def test_a_recurring_release_stays_at_local_time_across_daylight_saving():
    tail = "[releases]\nfirst = 2026-03-24T10:00:00\nevery_weeks = 1\n"
    releases = parse_policy(policy_text(tail=tail), source=SOURCE).releases  # in the default calendar's zone, Paris
    # Tue 24 Mar 10:00 CET is 09:00 UTC; Paris springs forward on Sun 29 Mar; Tue 31 Mar 10:00 CEST is 08:00 UTC
    assert releases.next_on_or_after(datetime(2026, 3, 24, 9, 0, 1, tzinfo=UTC)) == datetime(2026, 3, 31, 8, tzinfo=UTC)
    assert releases.next_on_or_after(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2026, 3, 24, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("plan", "kind", "priority", "name", "message"),
    [
        ("gold", None, "high", "response", 'unknown plan "gold"; this policy has: standard'),
        (None, "bug", "high", "response", 'unknown kind "bug"; this policy has: question, incident, defect, feature'),
        (None, None, "urgent", "response", 'unknown priority "urgent"; this policy has: high, low'),
        (None, None, "high", "fix", 'unknown target "fix"; this policy has: response'),
        (None, None, "low", "response", 'unknown target "response"; this policy has: none'),
    ],
)
def test_looking_up_what_the_policy_lacks_names_what_it_has(plan, kind, priority, name, message):
    policy = parse_policy(policy_text(), source=SOURCE)
    with pytest.raises(PolicyLookupError) as caught:
        policy.target(plan, kind, priority, name)
    assert str(caught.value) == message


def test_load_policy_reads_a_file_and_names_it_in_errors(tmp_path):
    good = tmp_path / "desk.toml"
    good.write_text(policy_text(), encoding="utf-8")
    assert load_policy(good).name == "desk"
    bad = tmp_path / "broken.toml"
    bad.write_text(policy_text().replace('"1h"', '"1 hour"'), encoding="utf-8")
    with pytest.raises(PolicyError, match=r'^broken\.toml: plans\.standard\.targets\.high\.response: .*"1 hour"'):
        load_policy(bad)


def test_a_missing_file_cannot_be_read(tmp_path):
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "absent.toml")


def test_a_name_that_is_neither_a_preset_nor_a_file():
    with pytest.raises(
        PolicyError, match=r"^nonesuch: is neither a preset \(k0nsult, kissflow, kiwi, livepro, owkin\)"
    ):
        presets.load("nonesuch")


# --- refused files: file, key and problem ------------------------------------------------------------------------


def test_invalid_toml_names_the_file_and_the_place():
    error = load_error(policy_text(top='name = "mini" title = "two keys on one line"'))
    assert (error.source, error.key) == (SOURCE, "")
    assert str(error).startswith(f"{SOURCE}: is not valid TOML (")
    assert "line" in error.problem


INVALID = [
    # calendars
    pytest.param(policy_text(calendars=""), "calendars", ["is required"], id="no-calendars"),
    pytest.param(policy_text(calendars="[calendars]"), "calendars", ["at least one calendar"], id="empty-calendars"),
    pytest.param(
        policy_text(calendars=CALENDARS.replace("Europe/Paris", "Europe/Pariss")),
        "calendars.business.time_zone",
        ['"Europe/Pariss"', "time zone"],
        id="unknown-zone",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS.replace("09:00-17:00", "9-5")),
        "calendars.business.hours",
        ['"9-5"'],
        id="bad-hours",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS.replace("09:00-17:00", "09:00-25:00")),
        "calendars.business.hours",
        ['"25:00"'],
        id="hour-25",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS.replace("mon-fri", "mon-fry")),
        "calendars.business.hours",
        ['"mon-fry"'],
        id="bad-day",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS + 'holidays = { country = "XX" }\n'),
        "calendars.business.holidays",
        ['"XX"'],
        id="unknown-holiday-country",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS + 'holidays = { country = "FR", subdivision = "ZZ" }\n'),
        "calendars.business.holidays",
        ['"ZZ"'],
        id="unknown-holiday-subdivision",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS + "holidays = { extra = [2026-12-24T00:00:00] }\n"),
        "calendars.business.holidays.extra",
        ["list of dates"],
        id="holiday-instant-not-date",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS + 'day_length = "8 hours"\n'),
        "calendars.business.day_length",
        ['"8 hours"'],
        id="bad-day-length",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS.replace('"09:00-17:00"', "")),
        "calendars.business",
        ["no working hours"],
        id="no-hours",
    ),
    pytest.param(policy_text(top='calendar = "office"'), "calendar", ['"office"'], id="unknown-default-calendar"),
    # unknown keys (typos) at several depths
    pytest.param(policy_text(top='defualt_plan = "standard"'), "defualt_plan", ["unknown key"], id="typo-root"),
    pytest.param(
        policy_text(calendars=CALENDARS.replace("time_zone", 'timezone = "UTC"\ntime_zone')),
        "calendars.business.timezone",
        ["unknown key"],
        id="typo-calendar",
    ),
    pytest.param(
        policy_text(calendars=CALENDARS + 'holidays = { contry = "FR" }\n'),
        "calendars.business.holidays.contry",
        ["unknown key"],
        id="typo-holidays",
    ),
    pytest.param(
        policy_text(tail='[[priorities]]\nname = "lowest"\ndescripton = "x"\n'),
        "priorities[2].descripton",
        ["unknown key"],
        id="typo-priority",
    ),
    pytest.param(
        policy_text(plans=PLANS + '[plans.standard]\nlable = "Standard"\n'),
        "plans.standard.lable",
        ["unknown key"],
        id="typo-plan",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace('"1h"', '{ duration = "1h", calender = "business" }')),
        "plans.standard.targets.high.response.calender",
        ["unknown key"],
        id="typo-target-table",
    ),
    pytest.param(
        policy_text(tail='[[escalations]]\nat = 1.0\ntoo = "L3"\n'),
        "escalations[0].too",
        ["unknown key"],
        id="typo-escalation",
    ),
    pytest.param(
        policy_text(tail="[releases]\nfirst = 2026-01-06T10:00:00\nevery_week = 2\n"),
        "releases.every_weeks",
        ["is required"],
        id="typo-release-every-weeks-missing",
    ),
    pytest.param(
        policy_text(tail="[releases]\ndate = [2026-12-01T10:00:00+01:00]\n"),
        "releases.date",
        ["unknown key"],
        id="typo-releases",
    ),
    pytest.param(
        policy_text(
            plans=PLANS.replace("targets.high", "kinds.defect.targets.high")
            + '[plans.standard.kinds.defect]\nstart_on = "complete"\n'
        ),
        "plans.standard.kinds.defect.start_on",
        ["unknown key"],
        id="typo-kind",
    ),
    pytest.param(
        policy_text(
            tail="""
[matrix]
priorities = [["high"]]
impacts = [{ name = "all", lable = "All" }]
urgencies = [{ name = "now" }]
"""
        ),
        "matrix.impacts[0].lable",
        ["unknown key"],
        id="typo-matrix-choice",
    ),
    pytest.param(
        policy_text(tail="[closing]\nconfirmation_requried = true\n"),
        "closing.confirmation_requried",
        ["unknown key"],
        id="typo-closing",
    ),
    pytest.param(
        policy_text(tail='[targets.restore]\nstarts_on = "complete"\nstops_on = ["restored"]\nlabl = "x"\n'),
        "targets.restore.labl",
        ["unknown key"],
        id="typo-target-definition",
    ),
    # durations
    pytest.param(
        policy_text(plans=PLANS.replace('"1h"', '"1 hour"')),
        "plans.standard.targets.high.response",
        ['invalid duration "1 hour"'],
        id="bad-duration",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace('"1h"', '{ duration = "soon" }')),
        "plans.standard.targets.high.response.duration",
        ['invalid duration "soon"'],
        id="bad-duration-in-table",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace('"1h"', "60")),
        "plans.standard.targets.high.response",
        ["not an integer"],
        id="duration-not-text",
    ),
    pytest.param(
        policy_text(tail='[closing]\nauto_close_after = "a week"\n'),
        "closing.auto_close_after",
        ['"a week"'],
        id="bad-auto-close",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace('response = "1h"', 'update = "next_release"')),
        "plans.standard.targets.high.update",
        ["recurring"],
        id="update-on-next-release",
    ),
    # target tables
    pytest.param(
        policy_text(plans=PLANS.replace("targets.high", "targets.urgent")),
        "plans.standard.targets.urgent",
        ["is not a priority", "high, low or any"],
        id="unknown-priority-in-targets",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace("response", "respond")),
        "plans.standard.targets.high.respond",
        ["is not a target"],
        id="unknown-target",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace('"1h"', '{ duration = "1h", calendar = "always" }')),
        "plans.standard.targets.high.response.calendar",
        ['"always"'],
        id="unknown-calendar-in-target",
    ),
    pytest.param(
        policy_text(plans=PLANS.replace("targets.high", "kinds.bug.targets.high")),
        "plans.standard.kinds.bug",
        ["is not a kind"],
        id="unknown-kind",
    ),
    pytest.param(
        policy_text(plans="[plans.standard]\n"), "plans.standard", ["has no targets"], id="plan-without-targets"
    ),
    pytest.param(policy_text(plans=""), "plans", ["is required"], id="no-plans"),
    pytest.param(
        policy_text(top='pausable = ["resolutoin"]'), "pausable", ['"resolutoin"'], id="unknown-pausable-target"
    ),
    pytest.param(
        policy_text(tail='[targets.restore]\nstops_on = ["restored"]\n'),
        "targets.restore.starts_on",
        ["is required"],
        id="custom-target-without-start",
    ),
    pytest.param(
        policy_text(tail='[targets.restore]\nstarts_on = "complete"\nstops_on = ["rebooted"]\n'),
        "targets.restore.stops_on",
        ['"rebooted"'],
        id="custom-target-unknown-event",
    ),
    # matrix
    pytest.param(
        policy_text(
            tail="""
[matrix]
priorities = [["high", "low"]]
impacts = [{ name = "all" }, { name = "some" }]
urgencies = [{ name = "now" }, { name = "later" }]
"""
        ),
        "matrix.priorities",
        ["2 rows", "of 2"],
        id="matrix-too-few-rows",
    ),
    pytest.param(
        policy_text(
            tail="""
[matrix]
priorities = [["high", "low"], ["low"]]
impacts = [{ name = "all" }, { name = "some" }]
urgencies = [{ name = "now" }, { name = "later" }]
"""
        ),
        "matrix.priorities",
        ["2 rows", "of 2"],
        id="matrix-short-row",
    ),
    pytest.param(
        policy_text(
            tail="""
[matrix]
priorities = [["high", "P9"], ["low", "low"]]
impacts = [{ name = "all" }, { name = "some" }]
urgencies = [{ name = "now" }, { name = "later" }]
"""
        ),
        "matrix.priorities",
        ['unknown priority "P9"'],
        id="matrix-unknown-priority",
    ),
    pytest.param(
        policy_text(tail='[matrix]\npriorities = [["high"]]\nimpacts = [{ name = "all" }]\n'),
        "matrix.urgencies",
        ["at least one"],
        id="matrix-without-urgencies",
    ),
    # credits and availability
    pytest.param(
        policy_text(
            plans=PLANS
            + """
[[plans.standard.credits]]
at_least = 95.0
below = 99.5
credit = 5

[[plans.standard.credits]]
at_least = 99.0
below = 99.9
credit = 10
"""
        ),
        "plans.standard.credits",
        ["overlap"],
        id="overlapping-credit-bands",
    ),
    pytest.param(
        policy_text(plans=PLANS + "[[plans.standard.credits]]\nat_least = 99.0\nbelow = 95.0\ncredit = 5\n"),
        "plans.standard.credits[0]",
        ["at_least must be below"],
        id="credit-band-upside-down",
    ),
    pytest.param(
        policy_text(plans=PLANS + "[[plans.standard.credits]]\nbelow = 101\ncredit = 5\n"),
        "plans.standard.credits[0].below",
        ["percentage"],
        id="credit-band-above-100",
    ),
    pytest.param(
        policy_text(plans=PLANS + "[[plans.standard.credits]]\nbelow = 99\n"),
        "plans.standard.credits[0].credit",
        ["is required"],
        id="credit-band-without-credit",
    ),
    pytest.param(
        policy_text(plans=PLANS + "[plans.standard]\navailability = 0\n"),
        "plans.standard.availability",
        ["(0, 100]"],
        id="availability-zero",
    ),
    # escalations
    pytest.param(
        policy_text(tail='[[escalations]]\nat = 1.0\nimmediately = true\nto = "L3"\n'),
        "escalations[0]",
        ["either `at`", "`immediately = true`"],
        id="escalation-both-at-and-immediately",
    ),
    pytest.param(
        policy_text(tail='[[escalations]]\nto = "L3"\n'),
        "escalations[0]",
        ["either `at`", "`immediately = true`"],
        id="escalation-neither-at-nor-immediately",
    ),
    pytest.param(policy_text(tail="[[escalations]]\nat = 0\n"), "escalations[0].at", ["above 0"], id="escalation-at-0"),
    pytest.param(
        policy_text(tail='[[escalations]]\nat = 1.0\nto = "L4"\n'), "escalations[0].to", ['"L4"'], id="escalation-level"
    ),
    pytest.param(
        policy_text(tail='[[escalations]]\nat = 1.0\ntarget = "fixx"\n'),
        "escalations[0].target",
        ['"fixx"'],
        id="escalation-unknown-target",
    ),
    pytest.param(
        policy_text(tail='[[escalations]]\nat = 1.0\npriorities = ["P1"]\n'),
        "escalations[0].priorities",
        ['unknown priority "P1"'],
        id="escalation-unknown-priority",
    ),
    pytest.param(
        policy_text(tail='[[escalations]]\nat = 1.0\nplans = ["gold"]\n'),
        "escalations[0].plans",
        ['unknown plan "gold"'],
        id="escalation-unknown-plan",
    ),
    # releases
    pytest.param(
        policy_text(tail="[releases]\nfirst = 2026-01-06T10:00:00+05:30\nevery_weeks = 2\n"),
        "releases.first",
        ["without a UTC offset"],
        id="release-first-with-offset",
    ),
    pytest.param(
        policy_text(tail="[releases]\nfirst = 2026-01-06T10:00:00\nevery_weeks = 0\n"),
        "releases.every_weeks",
        ["at least 1"],
        id="release-every-0-weeks",
    ),
    pytest.param(
        policy_text(tail="[releases]\ndates = [2026-12-01T10:00:00]\n"),
        "releases.dates",
        ["UTC offset"],
        id="release-date-without-offset",
    ),
    # warnings
    pytest.param(policy_text(top="warnings = [0.5, 1.0]"), "warnings", ["between 0 and 1"], id="warning-at-1"),
    pytest.param(policy_text(top="warnings = [0, 0.5]"), "warnings", ["between 0 and 1"], id="warning-at-0"),
    pytest.param(policy_text(top="warnings = [1.5]"), "warnings", ["between 0 and 1"], id="warning-above-1"),
    pytest.param(policy_text(top='warnings = ["half"]'), "warnings", ["between 0 and 1"], id="warning-text"),
    pytest.param(policy_text(top="warnings = 0.5"), "warnings", ["must be a list"], id="warning-not-a-list"),
    # defaults naming nothing
    pytest.param(
        policy_text(top='default_plan = "gold"'), "default_plan", ['"gold" is not one of standard'], id="default-plan"
    ),
    pytest.param(
        policy_text(top='default_priority = "urgent"'),
        "default_priority",
        ['"urgent" is not one of high, low'],
        id="default-priority",
    ),
    pytest.param(policy_text(top='default_kind = "bug"'), "default_kind", ['"bug"'], id="default-kind"),
    # priorities
    pytest.param(
        policy_text(tail='[[priorities]]\nname = "high"\n'), "priorities", ["unique"], id="duplicate-priority"
    ),
    pytest.param(
        policy_text(tail='[[priorities]]\nlabel = "Nameless"\n'),
        "priorities[2].name",
        ["is required"],
        id="priority-without-name",
    ),
    pytest.param(policy_text(top="title = 3"), "title", ["must be a string, not an integer"], id="wrong-type"),
]


@pytest.mark.parametrize(("text", "key", "words"), INVALID)
def test_invalid_policy_is_refused_naming_file_key_and_problem(text, key, words):
    assert_refused(text, key, *words)
