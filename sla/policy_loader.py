"""Loading a policy file (TOML) into a validated, frozen Policy (docs/architecture.md, "Policies").

Rules:
- The whole file is checked on load; the first problem raises PolicyError naming the file, the dotted key and
  what is wrong. Unknown keys are errors, so a typo never silently drops a rule.
- Defaults: the calendar named `business` (else the first) for every target without its own; the first plan;
  kind `incident`; the lowest priority until an agent triages; warnings at 50% and 80%.
- `[resolution]` names the targets a resolution `satisfies` and those it `cancels` (disjoint; by default it
  satisfies resolution and update and cancels response, workaround and fix); `[deferral]` names the targets a
  deferral `keeps` (the permanent fix by default). Each names known targets only.
- An escalation step goes to the level `to` (L2 when not given) or, with `page = true`, pages the on-call and
  goes to a level only when it names one.
- Percentages and fractions are read as exact decimals (99.9 is 999/10, not a binary float).
- Words shown in Slack fit where Slack shows them (`sla.wording`): a matrix choice's label at most 75 characters,
  a priority's "name label" 75, a matrix question 2,000; a longer one is refused at load, naming its key, the
  text and the limit.
"""

import re
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla.availability import AvailabilityTerms, CreditBand
from sla.calendar import Calendar, CalendarError
from sla.durations import NextRelease, TargetDuration, parse_duration, parse_working_duration
from sla.holiday_rules import HolidayRules, HolidayRulesError
from sla.hours import HoursError, WeeklyHours
from sla.policy import KINDS, LEVELS, Closing, Deferral, Escalation, Plan, Policy, Priority, Resolution
from sla.policy_reader import PolicyError, Reader
from sla.releases import ReleaseSchedule
from sla.targets import BUILT_IN, START_EVENTS, STOP_EVENTS, Target, TargetDefinition
from sla.triage import Choice, Matrix
from sla.wording import BUTTON, BUTTONS_IN_A_ROW, INPUT_LABEL, OPTION_VALUE, OPTIONS_IN_A_SELECT, Room, too_long

DEFAULT_WARNINGS = (Fraction(1, 2), Fraction(4, 5))
ANY_PRIORITY = "any"
QUESTIONS = {"impact_question": "How many users are affected?", "urgency_question": "Can they keep working?"}
_TARGET_TABLE = '{duration = "1h", calendar = "always"}'
_RELEASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_DAY_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def load_policy(path: Path) -> Policy:
    """The policy in the TOML file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(str(path), "", f"cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise PolicyError(str(path), "", "is not UTF-8 text") from error
    return parse_policy(text, source=path.name)


def parse_policy(text: str, source: str) -> Policy:
    """The policy written as TOML `text`; `source` names it in errors."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(source, "", f"is not valid TOML ({error})") from error
    root = Reader(source, "", document)
    calendars = _calendars(root.child("calendars", required=True))
    default_calendar_name = root.value(
        "calendar", str, "business" if "business" in calendars else next(iter(calendars))
    )
    if default_calendar_name not in calendars:
        raise root.error(f'names no calendar of [calendars] ("{default_calendar_name}")', "calendar")
    priorities = _priorities(root)
    priority_names = [priority.name for priority in priorities]
    definitions = _definitions(root.child("targets"))
    pausable = _names(root, "pausable", definitions)
    context = _Context(calendars, calendars[default_calendar_name], priority_names, definitions, pausable)
    plans = _plans(root.child("plans", required=True), context)
    policy = Policy(
        name=root.value("name", str, Path(source).stem),
        title=root.value("title", str, Path(source).stem),
        source=root.value("source", str, source),
        calendars=calendars,
        calendar=context.default_calendar,
        priorities=priorities,
        matrix=_matrix(root.child("matrix"), priority_names) if root.has("matrix") else None,
        plans=plans,
        default_plan=_member(root, "default_plan", list(plans), next(iter(plans))),
        default_kind=_member(root, "default_kind", list(KINDS), "incident"),
        default_priority=_member(root, "default_priority", priority_names, priority_names[-1]),
        warnings=_warnings(root),
        escalations=_escalations(root, definitions, priority_names, list(plans)),
        releases=_releases(root.child("releases"), context.default_calendar.zone),
        closing=_closing(root.child("closing")),
        resolution=_resolution(root.child("resolution"), definitions),
        deferral=_deferral(root.child("deferral"), definitions),
    )
    root.done()
    return policy


class _Context:
    """What plan and target tables are checked against."""

    def __init__(
        self,
        calendars: dict[str, Calendar],
        default_calendar: Calendar,
        priorities: list[str],
        definitions: dict[str, TargetDefinition],
        pausable: frozenset[str],
    ) -> None:
        self.calendars, self.default_calendar = calendars, default_calendar
        self.priorities, self.definitions, self.pausable = priorities, definitions, pausable


def _calendars(reader: Reader) -> dict[str, Calendar]:
    calendars = {name: _calendar(reader.child(name), name) for name in reader.names()}
    if not calendars:
        raise reader.error("must define at least one calendar")
    return calendars


def _calendar(reader: Reader, name: str) -> Calendar:
    zone = reader.parsed("time_zone", _zone)
    if reader.value("always", bool, False):
        calendar = Calendar.always(zone, name)
    else:
        hours_reader = reader.child("hours", required=True)
        spec = {key: hours_reader.strings(key) for key in hours_reader.names()}
        try:
            hours = WeeklyHours.parse(spec)
        except HoursError as error:
            raise hours_reader.error(str(error)) from error
        day_length = reader.parsed_optional("day_length", _fixed_length)
        try:
            calendar = Calendar(zone, hours, _holidays(reader.child("holidays")), day_length, name)
        except CalendarError as error:
            raise reader.error(str(error)) from error
    reader.done()
    return calendar


def _zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f'unknown IANA time zone "{text}"') from error


def _fixed_length(text: str) -> timedelta:
    duration = parse_working_duration(text)
    if duration.weeks or duration.days or not duration.minutes:
        raise ValueError(f'day_length "{text}" must be in hours and minutes, e.g. 8h or 7h30m')
    return timedelta(minutes=float(duration.minutes))


def _holidays(reader: Reader) -> HolidayRules:
    try:
        rules = HolidayRules(
            country=reader.optional("country", str),
            subdivision=reader.optional("subdivision", str),
            extra=_dates(reader, "extra"),
            removed=_dates(reader, "removed"),
        )
    except HolidayRulesError as error:
        raise reader.error(str(error)) from error
    reader.done()
    return rules


def _dates(reader: Reader, key: str) -> frozenset[date]:
    values = reader.value(key, list, [])
    if not all(isinstance(value, date) and not isinstance(value, datetime) for value in values):
        raise reader.error("must be a list of dates such as 2026-12-24", key)
    return frozenset(values)


def _priorities(root: Reader) -> tuple[Priority, ...]:
    priorities = []
    for reader in root.children("priorities"):
        name = reader.value("name", str, required=True)
        label = reader.value("label", str, name)
        _fits(reader, "label", f"{name} {label}", BUTTON)
        priorities.append(Priority(name, label, reader.value("description", str, "")))
        reader.done()
    names = [priority.name for priority in priorities]
    if not names:
        raise root.error("must list at least one priority", "priorities")
    if len(names) > OPTIONS_IN_A_SELECT:
        raise root.error(
            f"lists {len(names)} priorities; the triage card shows at most {OPTIONS_IN_A_SELECT}", "priorities"
        )
    if len(set(names)) != len(names) or ANY_PRIORITY in names:
        raise root.error(f'names must be unique and not "{ANY_PRIORITY}"', "priorities")
    return tuple(priorities)


def _matrix(reader: Reader, priorities: list[str]) -> Matrix:
    impacts, urgencies = _choices(reader, "impacts"), _choices(reader, "urgencies")
    rows = reader.value("priorities", list, required=True)
    shape_ok = len(rows) == len(impacts) and all(isinstance(row, list) and len(row) == len(urgencies) for row in rows)
    if not shape_ok:
        raise reader.error(f"must have {len(impacts)} rows (impacts) of {len(urgencies)} (urgencies)", "priorities")
    for row in rows:
        for cell in row:
            if cell not in priorities:
                raise reader.error(f'names an unknown priority "{cell}"', "priorities")
    questions = {key: reader.value(key, str, default) for key, default in QUESTIONS.items()}
    for key, question in questions.items():
        _fits(reader, key, question, INPUT_LABEL)
    matrix = Matrix(
        impact_question=questions["impact_question"],
        urgency_question=questions["urgency_question"],
        impacts=impacts,
        urgencies=urgencies,
        cells=tuple(tuple(row) for row in rows),
    )
    reader.done()
    return matrix


def _choices(reader: Reader, key: str) -> tuple[Choice, ...]:
    choices = []
    for item in reader.children(key):
        name = item.value("name", str, required=True)
        label = item.value("label", str, name)
        _fits(item, "name", name, OPTION_VALUE)
        _fits(item, "label", label, BUTTON)
        choices.append(Choice(name, label, item.value("description", str, "")))
        item.done()
    if not choices:
        raise reader.error("must list at least one choice", key)
    if len(choices) > BUTTONS_IN_A_ROW:
        raise reader.error(f"lists {len(choices)} choices; a question shows at most {BUTTONS_IN_A_ROW} buttons", key)
    return tuple(choices)


def _fits(reader: Reader, key: str, text: str, room: Room) -> None:
    problem = too_long(text, room)
    if problem is not None:
        raise reader.error(problem, key)


def _definitions(reader: Reader) -> dict[str, TargetDefinition]:
    definitions = dict(BUILT_IN)
    for name in reader.names():
        item = reader.child(name)
        base = BUILT_IN.get(name)
        starts_on = item.value("starts_on", str, base.starts_on if base else None, required=base is None)
        if starts_on not in START_EVENTS:
            raise item.error(f"must be one of {', '.join(sorted(START_EVENTS))}", "starts_on")
        stops_on = item.strings("stops_on", tuple(base.stops_on) if base else ())
        restarts_on = item.strings("restarts_on", tuple(base.restarts_on) if base else ())
        for key, events in (("stops_on", stops_on), ("restarts_on", restarts_on)):
            if unknown := set(events) - STOP_EVENTS:
                raise item.error(f'unknown event "{sorted(unknown)[0]}"; use {", ".join(sorted(STOP_EVENTS))}', key)
        if not stops_on:
            raise item.error("must name at least one stop event", "stops_on")
        label = item.value("label", str, base.label if base else name.replace("_", " ").capitalize())
        definitions[name] = TargetDefinition(name, label, starts_on, frozenset(stops_on), frozenset(restarts_on))
        item.done()
    return definitions


def _names(reader: Reader, key: str, known: dict[str, TargetDefinition]) -> frozenset[str]:
    names = reader.strings(key)
    for name in names:
        if name not in known:
            raise reader.error(f'names an unknown target "{name}"', key)
    return frozenset(names)


def _plans(reader: Reader, context: _Context) -> dict[str, Plan]:
    plans = {name: _plan(reader.child(name), name, context) for name in reader.names()}
    if not plans:
        raise reader.error("must define at least one plan")
    return plans


def _plan(reader: Reader, name: str, context: _Context) -> Plan:
    targets = _target_table(reader.child("targets"), context, None)
    kinds_reader = reader.child("kinds")
    kind_targets = {}
    for kind in kinds_reader.names():
        if kind not in KINDS:
            raise kinds_reader.error(f"is not a kind; use {', '.join(KINDS)}", kind)
        kind_reader = kinds_reader.child(kind)
        starts_on = kind_reader.optional("starts_on", str)
        if starts_on is not None and starts_on not in START_EVENTS:
            raise kind_reader.error(f"must be one of {', '.join(sorted(START_EVENTS))}", "starts_on")
        kind_targets[kind] = _target_table(kind_reader.child("targets", required=True), context, starts_on)
        kind_reader.done()
    if not targets and not kind_targets:
        raise reader.error("has no targets")
    plan = Plan(name, reader.value("label", str, name.capitalize()), targets, kind_targets, _terms(reader))
    reader.done()
    return plan


def _target_table(reader: Reader, context: _Context, starts_on: str | None) -> dict[str, tuple[Target, ...]]:
    rows = {}
    for key in reader.names():
        if key != ANY_PRIORITY and key not in context.priorities:
            raise reader.error(f"is not a priority; use {', '.join(context.priorities)} or {ANY_PRIORITY}", key)
        rows[key] = _targets(reader.child(key), context, starts_on)
    shared = rows.pop(ANY_PRIORITY, {})
    order = list(context.definitions)
    return {
        priority: tuple(
            sorted({**shared, **rows.get(priority, {})}.values(), key=lambda target: order.index(target.name))
        )
        for priority in context.priorities
        if shared or priority in rows
    }


def _targets(reader: Reader, context: _Context, starts_on: str | None) -> dict[str, Target]:
    targets = {}
    for name in reader.names():
        if name not in context.definitions:
            raise reader.error(f"is not a target; declare it under [targets.{name}]", name)
        definition = context.definitions[name]
        if starts_on is not None:
            definition = replace(definition, starts_on=starts_on)
        if isinstance(reader.table[name], str):
            duration, calendar = reader.parsed(name, parse_duration), context.default_calendar
        elif not isinstance(reader.table[name], dict):
            raise reader.error(f'must be a duration such as "1h" or a table {_TARGET_TABLE}', name)
        else:
            item = reader.child(name)
            duration = item.parsed("duration", parse_duration)
            calendar_name = item.value("calendar", str, context.default_calendar.name)
            if calendar_name not in context.calendars:
                raise item.error(f'names no calendar of [calendars] ("{calendar_name}")', "calendar")
            calendar = context.calendars[calendar_name]
            item.done()
        _check_recurring(reader, name, definition, duration)
        targets[name] = Target(definition, duration, calendar, name in context.pausable)
    reader.done()
    return targets


def _check_recurring(reader: Reader, name: str, definition: TargetDefinition, duration: TargetDuration) -> None:
    if definition.recurs and isinstance(duration, NextRelease):
        raise reader.error("a recurring target needs a working duration or none", name)


def _terms(reader: Reader) -> AvailabilityTerms:
    target = reader.optional("availability", float)
    bands = []
    for item in reader.children("credits"):
        band = CreditBand(
            at_least=_percent(item, "at_least", 0.0),
            below=_percent(item, "below", None),
            credit=_percent(item, "credit", None),
        )
        if band.at_least >= band.below:
            raise item.error("at_least must be below `below`")
        item.done()
        bands.append(band)
    bands.sort(key=lambda band: band.at_least)
    for lower, upper in pairwise(bands):
        if upper.at_least < lower.below:
            raise reader.error("credit bands overlap", "credits")
    if target is not None and not 0 < target <= 100:
        raise reader.error("must be a percentage in (0, 100]", "availability")
    return AvailabilityTerms(None if target is None else _decimal(target), tuple(bands))


def _percent(reader: Reader, key: str, default: float | None) -> Fraction:
    value = reader.value(key, float, default, required=default is None)
    if not 0 <= value <= 100:
        raise reader.error("must be a percentage from 0 to 100", key)
    return _decimal(value)


def _decimal(value: float) -> Fraction:
    return Fraction(repr(value))


def _member(reader: Reader, key: str, known: list[str], default: str) -> str:
    value = reader.value(key, str, default)
    if value not in known:
        raise reader.error(f'"{value}" is not one of {", ".join(known)}', key)
    return value


def _warnings(reader: Reader) -> tuple[Fraction, ...]:
    if not reader.has("warnings"):
        reader.value("warnings", list, [])
        return DEFAULT_WARNINGS
    values = reader.value("warnings", list)
    if not all(isinstance(value, int | float) and 0 < value < 1 for value in values):
        raise reader.error("must be fractions between 0 and 1, e.g. [0.5, 0.8]", "warnings")
    return tuple(sorted({_decimal(float(value)) for value in values}))


def _escalations(
    root: Reader, definitions: dict[str, TargetDefinition], priorities: list[str], plans: list[str]
) -> tuple[Escalation, ...]:
    steps = []
    for item in root.children("escalations"):
        target = _member(item, "target", list(definitions), "resolution")
        immediately = item.value("immediately", bool, False)
        at = item.optional("at", float)
        if immediately == (at is not None):
            raise item.error("give either `at` (a fraction of the target, 1.0 = on breach) or `immediately = true`")
        if at is not None and at <= 0:
            raise item.error("must be above 0", "at")
        for key, known in (("priorities", priorities), ("plans", plans)):
            for name in item.strings(key):
                if name not in known:
                    raise item.error(f'names an unknown {key[:-1] if key == "plans" else "priority"} "{name}"', key)
        page = item.value("page", bool, False)
        steps.append(
            Escalation(
                target=target,
                at=None if at is None else _decimal(at),
                to=_member(item, "to", list(LEVELS), "L2") if item.has("to") or not page else None,
                priorities=frozenset(item.strings("priorities")),
                plans=frozenset(item.strings("plans")),
                message=item.value("message", str, ""),
                page=page,
            )
        )
        item.done()
    return tuple(steps)


def _releases(reader: Reader, zone: ZoneInfo) -> ReleaseSchedule:
    reader.allow("dates", "first", "every_weeks", "named")
    dates = reader.value("dates", list, [])
    if not all(isinstance(value, datetime) and value.tzinfo is not None for value in dates):
        raise reader.error("must be instants with a UTC offset, e.g. 2026-12-01T10:00:00+01:00", "dates")
    first = reader.optional("first", datetime)
    if first is not None and first.tzinfo is not None:
        raise reader.error("is local wall-clock time: write it without a UTC offset", "first")
    every = reader.value("every_weeks", int, 0, required=first is not None)
    if first is not None and every < 1:
        raise reader.error("must be at least 1", "every_weeks")
    names = _release_names(reader)
    reader.done()
    return ReleaseSchedule(tuple(sorted(dates)), first, every, zone if first is not None else None, names)


def _release_names(reader: Reader) -> tuple[tuple[str, datetime], ...]:
    """`[releases.named]`: each release's name (one word, not `next_release` nor a day) and its instant."""
    named = reader.value("named", dict, {})
    for name, at in named.items():
        if not _RELEASE_NAME.match(name) or name.casefold() == "next_release" or _DAY_SHAPE.match(name):
            raise reader.error(f'"{name}" is not a release name (one word, not next_release nor a day)', "named")
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise reader.error("must be an instant with a UTC offset, e.g. 2027-01-12T10:00:00+05:30", f"named.{name}")
    if len({name.casefold() for name in named}) < len(named):
        raise reader.error("names a release twice (names are compared in any case)", "named")
    return tuple(sorted(named.items(), key=lambda item: item[1]))


def _closing(reader: Reader) -> Closing:
    closing = Closing(
        confirmation_required=reader.value("confirmation_required", bool, False),
        auto_close_after=reader.parsed_optional("auto_close_after", parse_working_duration),
    )
    reader.done()
    return closing


def _resolution(reader: Reader, definitions: dict[str, TargetDefinition]) -> Resolution:
    default = Resolution()
    satisfies = _names(reader, "satisfies", definitions) if reader.has("satisfies") else default.satisfies
    cancels = _names(reader, "cancels", definitions) if reader.has("cancels") else default.cancels - satisfies
    if both := satisfies & cancels:
        raise reader.error(f'names "{sorted(both)[0]}" in both satisfies and cancels', "cancels")
    reader.done()
    return Resolution(satisfies, cancels)


def _deferral(reader: Reader, definitions: dict[str, TargetDefinition]) -> Deferral:
    keeps = _names(reader, "keeps", definitions) if reader.has("keeps") else Deferral().keeps
    reader.done()
    return Deferral(keeps)
