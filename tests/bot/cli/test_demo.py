"""`frontdesk demo`, the README's first command: a whole conversation, the same on every run."""

import pytest

from tests.bot.cli.conftest import run_console_script, run_frontdesk


def test_the_demo_plays_a_conversation_to_an_sr_number_and_its_deadlines():
    outcome = run_console_script("demo")
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    text = outcome.stdout
    assert text.startswith('Frontdesk demo: policy "owkin" (Owkin K Pro Service Desk), Tuesday 24 November 2026 10:00')
    assert "Alice Martin:\n    The monthly report export does nothing since this morning\n" in text
    assert "Frontdesk (message updated in place):\n    Can we reach you at the email and phone shown above?" in text
    assert "    *Your answer:* Yes, that's right\n" in text
    assert "    [ Not applicable ]\n" in text
    assert "Alice Martin:\n    [file] export-button.png\n" in text
    assert "    Thank you. Your request is *SR-000001*.\n" in text
    assert "--- #support-agents ---\nFrontdesk:\n    *New request SR-000001* (incident, suggested priority *P4*" in text
    # Completed at 10:05 Paris; P4 response is 2 business hours.
    assert "  response     Tue 24 Nov 2026 12:05  (running)\n" in text


@pytest.mark.parametrize("policy", ["kissflow", "k0nsult", "kiwi"])
def test_the_demo_runs_with_other_presets(policy):
    outcome = run_frontdesk("demo", "--policy", policy)
    assert outcome.exit_code == 0
    assert "Your request is *SR-000001*" in outcome.stdout


def test_an_unknown_preset_is_refused():
    outcome = run_frontdesk("demo", "--policy", "acme")
    assert outcome.exit_code == 2
