"""The Home tab end to end: a requester sees their own open requests; an agent sees the queue, breached first."""

from datetime import timedelta

from tests.bot.desk.conftest import complete_request


def _home(conversation, user):
    conversation.slack.app_home_opened(user)
    conversation.settle()
    view = conversation.emulator.workspace.home_view(user)
    return list(view.definition["blocks"])


def _texts(blocks):
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def test_a_requester_sees_only_their_own_open_requests(conversation):
    complete_request(conversation, "Alice's export fails")
    conversation.slack.dm("carol", "Carol's own question")
    conversation.settle()
    texts = _texts(_home(conversation, "alice"))
    assert texts == [
        "*SR-000001* (open)\nAlice's export fails\nResponse due Tue 24 Nov 12:05 (Europe/Paris)",
    ]


def test_an_agent_sees_the_queue_breached_first_with_counts(conversation):
    complete_request(conversation, "First")
    complete_request(conversation, "Second &lt;b&gt;")
    where = conversation.emulator.workspace.channel("support-agents").id
    conversation.slack.slash_command("/frontdesk", "bob", where, "triage 2 P1 everyone is down")
    conversation.settle()
    conversation.now += timedelta(hours=3)
    blocks = _home(conversation, "bob")
    counts = next(b for b in blocks if b["type"] == "section" and "fields" in b)
    assert [f["text"] for f in counts["fields"]] == ["*Per priority*\nP1: 1\nP4: 1", "*Per plan*\nkpro: 2"]
    first, second = _texts(blocks)
    assert first.startswith("*SR-000002* P1 · kpro · incident · open\nSecond &lt;b&gt;\n*BREACHED* ")
    assert second.startswith("*SR-000001* P4 · kpro · incident · open\nFirst\n")
