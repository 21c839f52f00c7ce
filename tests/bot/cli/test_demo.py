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
    # answered in words, the steps question no longer offers its "Not applicable" button
    steps = 'How can we reproduce it? List the steps, or answer "not applicable".'
    assert f"Frontdesk (message updated in place):\n    {steps}\nAlice" in text
    assert "Alice Martin:\n    [file] export-button.png\n" in text
    assert "    Thank you. Your request is *SR-000001*.\n" in text
    assert "A member of the support team will answer by *Tue 24 Nov 2026 12:05* (Europe/Paris)." in text
    # the agent's side: the card (as it ends), its thread, the agent's clicks, the requester's confirmation
    assert "    *SR-000001* (incident, priority *P2*, plan kpro) (closed)\n" in text
    assert "--- #support-agents, the card's thread ---\nFrontdesk:\n    [file] export-button.png\n" in text
    assert "(Bob Tremblay sets the priority from the card's menu: P2)\n" in text
    assert "    *Bob Tremblay* (support): Thanks Alice, we can reproduce it" in text
    assert "    *Alice Martin* (requester) wrote:\n    > CSV works for now, thanks!\n" in text
    assert "(Alice Martin presses [ Yes, solved ])\n" in text
    assert "Request SR-000001: closed, incident, priority P2, plan kpro." in text
    # Completed at 10:05 Paris; the P4 response (2 business hours) was met by Bob's reply.
    assert "  response     Tue 24 Nov 2026 12:05  (met)\n" in text


@pytest.mark.parametrize("policy", ["kissflow", "k0nsult", "kiwi"])
def test_the_demo_runs_with_other_presets(policy):
    outcome = run_frontdesk("demo", "--policy", policy)
    assert outcome.exit_code == 0
    assert "Your request is *SR-000001*" in outcome.stdout


def test_an_unknown_preset_is_refused():
    outcome = run_frontdesk("demo", "--policy", "acme")
    assert outcome.exit_code == 2
