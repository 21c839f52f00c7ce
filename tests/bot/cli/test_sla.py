"""`frontdesk sla due`, as docs/architecture.md, "Commands" defines it."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from sla import presets
from sla.clocks import due_at
from tests.bot.cli.conftest import run_console_script, run_frontdesk

OWKIN_P1 = ("sla", "due", "--policy", "owkin", "--priority", "P1")
KISSFLOW_DEFECT = ("sla", "due", "--policy", "kissflow", "--kind", "defect")


def test_owkin_p1_response_opened_after_hours_is_due_next_morning():
    # Tue 17:30 Paris: 30 minutes left on Tuesday, 30 more from Wednesday 09:00.
    outcome = run_frontdesk(*OWKIN_P1, "--target", "response", "--opened", "2026-11-24T17:30:00+01:00")
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (0, "2026-11-25T09:30:00+01:00\n", "")


def test_answer_carries_the_calendar_offset_whatever_the_input_offset():
    # 16:30Z is 17:30 in Paris.
    outcome = run_frontdesk(*OWKIN_P1, "--target", "response", "--opened", "2026-11-24T16:30:00Z")
    assert outcome.stdout == "2026-11-25T09:30:00+01:00\n"


def test_plan_and_kind_select_the_defect_targets():
    # kissflow critical defect: permanent fix in 48 h of weekdays (24 h each): Thu 10:00 -> Mon 10:00 IST.
    outcome = run_frontdesk(
        "sla", "due", "--policy", "kissflow", "--plan", "standard", "--kind", "defect",
        "--priority", "critical", "--target", "fix", "--opened", "2026-11-26T10:00:00+05:30",
    )  # fmt: skip
    assert outcome.stdout == "2026-11-30T10:00:00+05:30\n"


def test_a_target_without_deadline_prints_none():
    outcome = run_frontdesk(
        *KISSFLOW_DEFECT, "--priority", "low", "--target", "workaround", "--opened", "2026-11-26T10:00:00+05:30",
    )  # fmt: skip
    assert outcome.stdout == "none\n"


def test_next_release_is_the_next_fortnightly_tuesday():
    outcome = run_frontdesk(
        *KISSFLOW_DEFECT, "--priority", "medium", "--target", "fix", "--opened", "2026-11-25T10:00:00+05:30",
    )  # fmt: skip
    assert outcome.stdout == "2026-12-08T10:00:00+05:30\n"


def test_a_pause_moves_a_pausable_deadline_by_its_working_time():
    # owkin P1 resolution 4 h from Wed 09:00 is 13:00; a 10:00-11:30 pause moves it to 14:30.
    outcome = run_frontdesk(
        *OWKIN_P1, "--target", "resolution", "--opened", "2026-11-25T09:00:00+01:00",
        "--pause", "2026-11-25T10:00:00+01:00/2026-11-25T11:30:00+01:00",
    )  # fmt: skip
    assert outcome.stdout == "2026-11-25T14:30:00+01:00\n"


def test_pauses_over_closed_time_do_not_move_the_deadline():
    # The pause lies overnight, outside business hours: Wed 17:00 + 4 h = Thu 12:00.
    outcome = run_frontdesk(
        *OWKIN_P1, "--target", "resolution", "--opened", "2026-11-25T17:00:00+01:00",
        "--pause", "2026-11-25T18:30:00+01:00/2026-11-26T08:30:00+01:00",
    )  # fmt: skip
    assert outcome.stdout == "2026-11-26T12:00:00+01:00\n"


def test_stdin_gives_one_answer_per_line_in_order():
    lines = "2026-11-24T17:30:00+01:00\n\n2026-12-24T17:00:00Z\n2026-11-25T09:00:00+01:00\n"
    outcome = run_frontdesk(*OWKIN_P1, "--target", "resolution", "--opened", "-", stdin=lines)
    # 17:30 + 4h: 30 min Tue, 3.5 h Wed -> Wed 12:30. Dec 24 18:00 Paris: Christmas, weekend -> Mon 28 13:00.
    assert outcome.stdout.splitlines() == [
        "2026-11-25T12:30:00+01:00",
        "2026-12-28T13:00:00+01:00",
        "2026-11-25T13:00:00+01:00",
    ]


def test_a_bad_stdin_line_stops_with_its_number_after_the_good_answers():
    outcome = run_frontdesk(
        *OWKIN_P1, "--target", "response", "--opened", "-", stdin="2026-11-25T09:00:00+01:00\nsoon\n"
    )
    assert outcome.exit_code == 2
    assert outcome.stdout == "2026-11-25T10:00:00+01:00\n"
    assert outcome.stderr == (
        'frontdesk: line 2 of stdin: "soon" is not an ISO 8601 instant such as 2026-11-24T17:30:00+01:00\n'
    )


def test_naive_instant_is_bad_input():
    outcome = run_frontdesk(*OWKIN_P1, "--target", "response", "--opened", "2026-11-24T17:30:00")
    assert outcome.exit_code == 2
    assert outcome.stderr.count("\n") == 1
    assert "has no UTC offset" in outcome.stderr


def test_unknown_priority_names_the_ones_that_exist():
    outcome = run_frontdesk("sla", "due", "--policy", "owkin", "--priority", "P9", "--target", "response",
                            "--opened", "2026-11-24T17:30:00+01:00")  # fmt: skip
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        'frontdesk: unknown priority "P9"; this policy has: P1, P2, P3, P4\n',
    )


def test_unknown_target_and_plan_are_bad_input():
    target = run_frontdesk(*OWKIN_P1, "--target", "restore", "--opened", "2026-11-24T17:30:00+01:00")
    plan = run_frontdesk(*OWKIN_P1, "--plan", "gold", "--target", "response", "--opened", "2026-11-24T17:30:00+01:00")
    assert target.stderr == 'frontdesk: unknown target "restore"; this policy has: response, resolution, update\n'
    assert plan.stderr == 'frontdesk: unknown plan "gold"; this policy has: kpro\n'
    assert target.exit_code == plan.exit_code == 2


def test_pause_on_a_target_that_does_not_pause_is_refused():
    outcome = run_frontdesk(
        *OWKIN_P1, "--target", "response", "--opened", "2026-11-25T09:00:00+01:00",
        "--pause", "2026-11-25T10:00:00+01:00/2026-11-25T11:00:00+01:00",
    )  # fmt: skip
    assert outcome.exit_code == 2
    assert outcome.stderr == 'frontdesk: the response target does not pause in policy "owkin"; drop --pause\n'


def test_malformed_and_backwards_pauses_are_refused():
    common = (*OWKIN_P1, "--target", "resolution", "--opened", "2026-11-25T09:00:00+01:00", "--pause")
    malformed = run_frontdesk(*common, "2026-11-25T10:00:00+01:00")
    backwards = run_frontdesk(*common, "2026-11-25T11:00:00+01:00/2026-11-25T10:00:00+01:00")
    assert "must be START/END" in malformed.stderr
    assert "ends before it starts" in backwards.stderr
    assert malformed.exit_code == backwards.exit_code == 2


def test_missing_option_is_one_line():
    outcome = run_frontdesk("sla", "due", "--policy", "owkin", "--priority", "P1")
    assert (outcome.exit_code, outcome.stderr) == (2, "frontdesk: Missing option '--target'.\n")


def test_unknown_policy_is_one_line():
    outcome = run_frontdesk("sla", "due", "--policy", "acme", "--priority", "P1", "--target", "response",
                            "--opened", "2026-11-25T09:00:00+01:00")  # fmt: skip
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith("frontdesk: acme: is neither a preset")


def test_policy_file_path(tmp_path):
    policy = tmp_path / "desk.toml"
    policy.write_text(
        '[calendars.business]\ntime_zone = "UTC"\nhours = { mon-fri = ["09:00-17:00"] }\n'
        '[[priorities]]\nname = "P1"\n[plans.std.targets.P1]\nresponse = "8h"\n'
    )
    outcome = run_frontdesk("sla", "due", "--policy", str(policy), "--priority", "P1", "--target", "response",
                            "--opened", "2026-11-23T09:00:00Z")  # fmt: skip
    assert outcome.stdout == "2026-11-23T17:00:00+00:00\n"


def test_the_installed_console_script_answers_from_stdin():
    outcome = run_console_script(
        *OWKIN_P1, "--target", "response", "--opened", "-", stdin="2026-11-24T17:30:00+01:00\n"
    )
    assert (outcome.exit_code, outcome.stdout) == (0, "2026-11-25T09:30:00+01:00\n")


def test_the_installed_console_script_fails_in_one_line():
    outcome = run_console_script(*OWKIN_P1, "--target", "response", "--opened", "yesterday")
    assert outcome.exit_code == 2
    assert outcome.stderr.count("\n") == 1


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["P1", "P2", "P3", "P4"]),
    st.sampled_from(["response", "resolution", "update"]),
)
def test_stdin_answers_agree_with_the_engine(instants, priority, target_name):
    policy = presets.load("owkin")
    target = policy.target(None, None, priority, target_name)
    lines = "".join(f"{instant.isoformat()}\n" for instant in instants)
    outcome = run_frontdesk(
        "sla", "due", "--policy", "owkin", "--priority", priority, "--target", target_name, "--opened", "-",
        stdin=lines,
    )  # fmt: skip
    expected = [due_at(policy, target, instant).isoformat() for instant in instants]
    assert outcome.stdout.splitlines() == expected
    assert all(datetime.fromisoformat(text) >= instant for text, instant in zip(expected, instants, strict=True))
