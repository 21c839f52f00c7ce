"""Loading policy files: a valid minimal policy and its defaults; every invalid file gives one PolicyError whose
message names the file, the dotted key and the problem (docs/architecture.md, "Policies")."""

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


def test_named_releases_are_found_by_name_and_are_releases_too():
    tail = """
[releases]
first = 2026-01-06T10:00:00
every_weeks = 2
[releases.named]
"2027.2" = 2027-02-09T10:00:00+01:00
"2027.1" = 2027-01-12T10:00:00+01:00
"""
    releases = parse_policy(policy_text(tail=tail), source=SOURCE).releases
    assert [name for name, _ in releases.names] == ["2027.1", "2027.2"]  # in the order of their instants
    assert releases.named("2027.1") == datetime(2027, 1, 12, 9, tzinfo=UTC)
    assert releases.named("nope") is None
    assert releases.name_of(datetime(2027, 2, 9, 9, tzinfo=UTC)) == "2027.2"
    # a named release between two recurring ones is the next release
    assert releases.next_on_or_after(datetime(2027, 1, 7, tzinfo=UTC)) == datetime(2027, 1, 12, 9, tzinfo=UTC)
    assert "2027.1 2027-01-12T10:00:00+01:00" in releases.describe()


def test_named_releases_alone_are_a_schedule():
    tail = "[releases.named]\nR42 = 2027-01-12T10:00:00+01:00\n"
    releases = parse_policy(policy_text(tail=tail), source=SOURCE).releases
    assert not releases.is_empty
    assert releases.named("r42") == datetime(2027, 1, 12, 9, tzinfo=UTC)


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


def top(lines: str) -> str:
    """The small policy with root keys added."""
    return policy_text(top=lines)


def calendar(lines: str) -> str:
    """The small policy with keys added to [calendars.business]."""
    return policy_text(calendars=CALENDARS + lines)


def hours(interval: str) -> str:
    """The small policy with other weekly hours."""
    return policy_text(calendars=CALENDARS.replace('mon-fri = ["09:00-17:00"]', interval))


def response(value: str) -> str:
    """The small policy with another value for plans.standard.targets.high.response."""
    return policy_text(plans=PLANS.replace('"1h"', value))


def plans(text: str) -> str:
    """The small policy with other plan tables."""
    return policy_text(plans=text)


def tail(text: str) -> str:
    """The small policy with more tables at the end."""
    return policy_text(tail=text)


TWO_BY_TWO = 'impacts = [{ name = "all" }, { name = "some" }]\nurgencies = [{ name = "now" }, { name = "later" }]'


def matrix(rows: str, choices: str = TWO_BY_TWO) -> str:
    """The small policy with a matrix of `rows` (TOML) over two impacts and two urgencies."""
    return tail(f"[matrix]\npriorities = {rows}\n{choices}\n")


def credits(*bands: str) -> str:
    """The small policy with credit bands (each the keys of one [[plans.standard.credits]] table)."""
    return plans(PLANS + "".join(f"[[plans.standard.credits]]\n{band}\n" for band in bands))


def escalation(lines: str) -> str:
    return tail(f"[[escalations]]\n{lines}\n")


def releases(lines: str) -> str:
    return tail(f"[releases]\n{lines}\n")


RESTORE = '[targets.restore]\nstarts_on = "complete"\n'
DEFECT_PLAN = PLANS.replace("targets.high", "kinds.defect.targets.high")
HIGH = "plans.standard.targets.high"  # the key of the small policy's only target row

# id, policy text, the key the error names, words its problem contains
INVALID = [
    # calendars
    ("no-calendars", policy_text(calendars=""), "calendars", "is required"),
    ("empty-calendars", policy_text(calendars="[calendars]"), "calendars", "at least one calendar"),
    (
        "unknown-zone",
        policy_text(calendars=CALENDARS.replace("Paris", "Pariss")),
        "calendars.business.time_zone",
        '"Europe/Pariss"',
        "time zone",
    ),
    ("bad-hours", hours('mon-fri = ["9-5"]'), "calendars.business.hours", '"9-5"'),
    ("hour-25", hours('mon-fri = ["09:00-25:00"]'), "calendars.business.hours", '"25:00"'),
    ("bad-day", hours('mon-fry = ["09:00-17:00"]'), "calendars.business.hours", '"mon-fry"'),
    ("no-hours", hours("mon-fri = []"), "calendars.business", "no working hours"),
    ("unknown-holiday-country", calendar('holidays = { country = "XX" }'), "calendars.business.holidays", '"XX"'),
    (
        "unknown-holiday-subdivision",
        calendar('holidays = { country = "FR", subdivision = "ZZ" }'),
        "calendars.business.holidays",
        '"ZZ"',
    ),
    (
        "holiday-instant-not-date",
        calendar("holidays = { extra = [2026-12-24T00:00:00] }"),
        "calendars.business.holidays.extra",
        "list of dates",
    ),
    ("bad-day-length", calendar('day_length = "8 hours"'), "calendars.business.day_length", '"8 hours"'),
    ("unknown-default-calendar", top('calendar = "office"'), "calendar", '"office"'),
    # unknown keys (typos) at several depths
    ("typo-root", top('defualt_plan = "standard"'), "defualt_plan", "unknown key"),
    ("typo-calendar", calendar('timezone = "UTC"'), "calendars.business.timezone", "unknown key"),
    ("typo-holidays", calendar('holidays = { contry = "FR" }'), "calendars.business.holidays.contry", "unknown key"),
    (
        "typo-priority",
        tail('[[priorities]]\nname = "lowest"\ndescripton = "x"'),
        "priorities[2].descripton",
        "unknown key",
    ),
    ("typo-plan", plans(PLANS + '[plans.standard]\nlable = "Standard"'), "plans.standard.lable", "unknown key"),
    (
        "typo-kind",
        plans(DEFECT_PLAN + '[plans.standard.kinds.defect]\nstart_on = "complete"'),
        "plans.standard.kinds.defect.start_on",
        "unknown key",
    ),
    (
        "typo-target-table",
        response('{ duration = "1h", calender = "business" }'),
        f"{HIGH}.response.calender",
        "unknown key",
    ),
    (
        "typo-target-definition",
        tail(RESTORE + 'stops_on = ["restored"]\nlabl = "x"'),
        "targets.restore.labl",
        "unknown key",
    ),
    (
        "typo-matrix-choice",
        matrix('[["high"]]', 'impacts = [{ name = "all", lable = "All" }]\nurgencies = [{ name = "now" }]'),
        "matrix.impacts[0].lable",
        "unknown key",
    ),
    ("typo-escalation", escalation('at = 1.0\ntoo = "L3"'), "escalations[0].too", "unknown key"),
    ("typo-releases", releases("date = [2026-12-01T10:00:00+01:00]"), "releases.date", "unknown key"),
    (
        "typo-release-every-weeks-missing",
        releases("first = 2026-01-06T10:00:00\nevery_week = 2"),
        "releases.every_week",
        "unknown key",
    ),
    ("typo-closing", tail("[closing]\nconfirmation_requried = true"), "closing.confirmation_requried", "unknown key"),
    # durations: the message quotes the text
    ("bad-duration", response('"1 hour"'), f"{HIGH}.response", 'invalid duration "1 hour"'),
    (
        "bad-duration-in-table",
        response('{ duration = "soon" }'),
        f"{HIGH}.response.duration",
        'invalid duration "soon"',
    ),
    ("duration-not-text", response("60"), f"{HIGH}.response", 'must be a duration such as "1h" or a table'),
    ("bad-auto-close", tail('[closing]\nauto_close_after = "a week"'), "closing.auto_close_after", '"a week"'),
    (
        "update-on-next-release",
        plans(PLANS.replace('response = "1h"', 'update = "next_release"')),
        f"{HIGH}.update",
        "recurring",
    ),
    # target tables
    (
        "unknown-priority-in-targets",
        plans(PLANS.replace("targets.high", "targets.urgent")),
        "plans.standard.targets.urgent",
        "is not a priority",
        "high, low or any",
    ),
    ("unknown-target", plans(PLANS.replace("response", "respond")), f"{HIGH}.respond", "is not a target"),
    (
        "unknown-calendar-in-target",
        response('{ duration = "1h", calendar = "always" }'),
        f"{HIGH}.response.calendar",
        '"always"',
    ),
    (
        "unknown-kind",
        plans(PLANS.replace("targets.high", "kinds.bug.targets.high")),
        "plans.standard.kinds.bug",
        "is not a kind",
    ),
    ("plan-without-targets", plans("[plans.standard]\n"), "plans.standard", "has no targets"),
    ("no-plans", plans(""), "plans", "is required"),
    ("unknown-pausable-target", top('pausable = ["resolutoin"]'), "pausable", '"resolutoin"'),
    (
        "custom-target-without-start",
        tail('[targets.restore]\nstops_on = ["restored"]'),
        "targets.restore.starts_on",
        "is required",
    ),
    (
        "custom-target-unknown-event",
        tail(RESTORE + 'stops_on = ["rebooted"]'),
        "targets.restore.stops_on",
        '"rebooted"',
    ),
    # matrix
    ("matrix-too-few-rows", matrix('[["high", "low"]]'), "matrix.priorities", "2 rows", "of 2"),
    ("matrix-short-row", matrix('[["high", "low"], ["low"]]'), "matrix.priorities", "2 rows", "of 2"),
    (
        "matrix-unknown-priority",
        matrix('[["high", "P9"], ["low", "low"]]'),
        "matrix.priorities",
        'unknown priority "P9"',
    ),
    (
        "matrix-without-urgencies",
        matrix('[["high"]]', 'impacts = [{ name = "all" }]'),
        "matrix.urgencies",
        "at least one",
    ),
    # credits and availability
    (
        "overlapping-credit-bands",
        credits("at_least = 95.0\nbelow = 99.5\ncredit = 5", "at_least = 99.0\nbelow = 99.9\ncredit = 10"),
        "plans.standard.credits",
        "overlap",
    ),
    (
        "credit-band-upside-down",
        credits("at_least = 99.0\nbelow = 95.0\ncredit = 5"),
        "plans.standard.credits[0]",
        "at_least must be below",
    ),
    ("credit-band-above-100", credits("below = 101\ncredit = 5"), "plans.standard.credits[0].below", "percentage"),
    ("credit-band-without-credit", credits("below = 99"), "plans.standard.credits[0].credit", "is required"),
    (
        "availability-zero",
        plans(PLANS + "[plans.standard]\navailability = 0"),
        "plans.standard.availability",
        "(0, 100]",
    ),
    # escalations
    (
        "escalation-both-at-and-immediately",
        escalation('at = 1.0\nimmediately = true\nto = "L3"'),
        "escalations[0]",
        "either `at`",
        "`immediately = true`",
    ),
    (
        "escalation-neither-at-nor-immediately",
        escalation('to = "L3"'),
        "escalations[0]",
        "either `at`",
        "`immediately = true`",
    ),
    ("escalation-at-0", escalation("at = 0"), "escalations[0].at", "above 0"),
    ("escalation-level", escalation('at = 1.0\nto = "L4"'), "escalations[0].to", '"L4"'),
    ("escalation-unknown-target", escalation('at = 1.0\ntarget = "fixx"'), "escalations[0].target", '"fixx"'),
    (
        "escalation-unknown-priority",
        escalation('at = 1.0\npriorities = ["P1"]'),
        "escalations[0].priorities",
        'unknown priority "P1"',
    ),
    (
        "escalation-unknown-plan",
        escalation('at = 1.0\nplans = ["gold"]'),
        "escalations[0].plans",
        'unknown plan "gold"',
    ),
    # releases
    (
        "release-first-with-offset",
        releases("first = 2026-01-06T10:00:00+05:30\nevery_weeks = 2"),
        "releases.first",
        "without a UTC offset",
    ),
    (
        "release-every-0-weeks",
        releases("first = 2026-01-06T10:00:00\nevery_weeks = 0"),
        "releases.every_weeks",
        "at least 1",
    ),
    ("release-date-without-offset", releases("dates = [2026-12-01T10:00:00]"), "releases.dates", "UTC offset"),
    ("release-named-no-offset", releases("named = { R1 = 2026-12-01T10:00:00 }"), "releases.named.R1", "UTC offset"),
    (
        "release-named-like-a-day",
        releases('named = { "2026-12-01" = 2026-12-01T10:00:00+01:00 }'),
        "releases.named",
        "not a release name",
    ),
    (
        "release-named-next_release",
        releases("named = { next_release = 2026-12-01T10:00:00+01:00 }"),
        "releases.named",
        "not a release name",
    ),
    (
        "release-named-twice",
        releases("named = { R1 = 2026-12-01T10:00:00+01:00, r1 = 2026-12-08T10:00:00+01:00 }"),
        "releases.named",
        "twice",
    ),
    # warnings must lie strictly between 0 and 1
    ("warning-at-1", top("warnings = [0.5, 1.0]"), "warnings", "between 0 and 1"),
    ("warning-at-0", top("warnings = [0, 0.5]"), "warnings", "between 0 and 1"),
    ("warning-above-1", top("warnings = [1.5]"), "warnings", "between 0 and 1"),
    ("warning-text", top('warnings = ["half"]'), "warnings", "between 0 and 1"),
    ("warning-not-a-list", top("warnings = 0.5"), "warnings", "must be a list"),
    # defaults naming nothing
    ("default-plan", top('default_plan = "gold"'), "default_plan", '"gold" is not one of standard'),
    ("default-priority", top('default_priority = "urgent"'), "default_priority", '"urgent" is not one of high, low'),
    ("default-kind", top('default_kind = "bug"'), "default_kind", '"bug"'),
    # priorities and types
    ("duplicate-priority", tail('[[priorities]]\nname = "high"'), "priorities", "unique"),
    ("priority-without-name", tail('[[priorities]]\nlabel = "Nameless"'), "priorities[2].name", "is required"),
    ("wrong-type", top("title = 3"), "title", "must be a string, not an integer"),
]


@pytest.mark.parametrize(("text", "key", "words"), [pytest.param(c[1], c[2], c[3:], id=c[0]) for c in INVALID])
def test_invalid_policy_is_refused_naming_file_key_and_problem(text, key, words):
    assert_refused(text, key, *words)
