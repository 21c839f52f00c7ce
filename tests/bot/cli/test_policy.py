"""`frontdesk policy show|check`: a policy as tables a support manager can check against the contract."""

import pytest

from sla import presets
from tests.bot.cli.conftest import run_frontdesk


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_shows_and_checks(name):
    shown = run_frontdesk("policy", "show", name, "--today", "2026-11-22")
    checked = run_frontdesk("policy", "check", name)
    assert (shown.exit_code, checked.exit_code) == (0, 0)
    assert shown.stdout.startswith(presets.load(name).title)
    assert checked.stdout.startswith(f"{name}: valid.")


def test_owkin_table_reads_like_the_document():
    shown = run_frontdesk("policy", "show", "owkin", "--today", "2026-11-22").stdout
    assert (
        "      Response  Resolution  Update\n  P1  1h        4h          30m\n  P2  2h        8h          1d\n" in shown
    )
    assert "    Europe/Paris\n    Mon-Fri 09:00-18:00\n    Sat-Sun closed\n    FR public holidays\n" in shown
    assert "    Next holidays: 2026-12-25 Christmas Day, 2027-01-01 New Year's Day," in shown
    assert "Closing: a resolved request stays open until the requester confirms.\n" in shown
    assert "Plan kpro (K Pro): availability target 95% a month\n" in shown


def test_kiwi_shows_the_matrix_and_targets_on_another_calendar():
    shown = run_frontdesk("policy", "show", "kiwi", "--today", "2026-11-22").stdout
    assert "  impact \\ urgency  critical  high  medium  low\n  extended          P1        P2    P2      P3\n" in shown
    assert "  P1  30m (always)  4h (always)\n" in shown


def test_k0nsult_shows_credits_and_escalations():
    shown = run_frontdesk("policy", "show", "k0nsult", "--plan", "enterprise", "--today", "2026-11-22").stdout
    assert "Plan starter" not in shown
    assert "    availability from 99% to below 99.9%: 5%\n" in shown
    assert "  L3 as soon as the resolution clock starts, priorities S1\n" in shown


def test_kissflow_shows_defect_targets_and_releases():
    shown = run_frontdesk("policy", "show", "kissflow", "--today", "2026-11-22").stdout
    assert "  Defect requests, clocks start when defect confirmed:\n" in shown
    assert "    medium    8h        3d          next_release\n" in shown
    assert "Releases (for next_release targets): every 2 week(s) from 2026-01-06 10:00 Asia/Kolkata\n" in shown


def test_unknown_plan_is_bad_input():
    outcome = run_frontdesk("policy", "show", "owkin", "--plan", "gold")
    assert (outcome.exit_code, outcome.stderr) == (2, 'frontdesk: unknown plan "gold"; this policy has: kpro\n')


def test_check_names_file_key_and_problem(tmp_path):
    policy = tmp_path / "desk.toml"
    policy.write_text(
        '[calendars.business]\ntime_zone = "Europe/Paris"\nhours = { mon-fri = ["09:00-17:00"] }\n'
        '[[priorities]]\nname = "P1"\n[plans.std.targets.P1]\nresponse = "1 hour"\n'
    )
    outcome = run_frontdesk("policy", "check", str(policy))
    assert outcome.exit_code == 2
    assert outcome.stderr == (
        'frontdesk: desk.toml: plans.std.targets.P1.response: invalid duration "1 hour": expected a number with '
        'a unit (30m, 4h, 1h30m, 2.5d, 1w), "none" or "next_release"\n'
    )


def test_check_of_a_missing_file(tmp_path):
    outcome = run_frontdesk("policy", "check", str(tmp_path / "nope.toml"))
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"frontdesk: {tmp_path / 'nope.toml'}: cannot be read")


MINIMAL = '[calendars.business]\ntime_zone = "Europe/Paris"\nhours = { mon-fri = ["09:00-17:00"] }\n'
MINIMAL += '[[priorities]]\nname = "P1"\n[plans.std.targets.P1]\nresponse = "1h"\n'


@pytest.mark.parametrize("name", presets.names())
def test_a_preset_is_shown_with_the_published_policy_it_follows_never_a_file_name(name):
    first = run_frontdesk("policy", "show", name, "--today", "2026-11-22").stdout.splitlines()[0]
    policy = presets.load(name)
    assert first == f'{policy.title} (policy "{name}", from {policy.source})'
    assert ".toml" not in first


def test_a_policy_file_without_a_source_is_shown_by_its_title_alone(tmp_path):
    policy = tmp_path / "my-desk.toml"
    policy.write_text(f'title = "Our desk"\n{MINIMAL}')
    first = run_frontdesk("policy", "show", str(policy)).stdout.splitlines()[0]
    assert first == 'Our desk (policy "my-desk")'
    policy.write_text(f'title = "Our desk"\nsource = "our support contract, 2026"\n{MINIMAL}')
    first = run_frontdesk("policy", "show", str(policy)).stdout.splitlines()[0]
    assert first == 'Our desk (policy "my-desk", from our support contract, 2026)'
