"""The Home tab end to end: a requester sees their own open requests; an agent sees the queue, breached first."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.desk.home import SHOWN, agent_home
from bot.desk.reminders import sweep_milestones
from bot.render import render_json
from bot.say import Say
from slack_emulator import payloads
from storage import inbox
from storage.kinds import InboxState
from storage.tickets import open_ticket
from tests.bot.conversation import START
from tests.bot.desk.conftest import card_of, complete_request


def _home(conversation, user):
    conversation.slack.app_home_opened(user)
    conversation.settle()
    view = conversation.emulator.workspace.home_view(user)
    return list(view.definition["blocks"])


def _texts(blocks):
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def _counts(blocks):
    counts = next(b for b in blocks if b["type"] == "section" and "fields" in b)
    return [field["text"] for field in counts["fields"]]


def _sweep(conversation):
    at = conversation.now
    sweep_milestones(conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at))
    conversation.settle()


def test_a_requester_sees_only_their_own_open_requests(conversation):
    complete_request(conversation, "Alice's export fails")
    conversation.slack.dm("dave", "Dave's own question")
    conversation.settle()
    assert _texts(_home(conversation, "alice")) == [
        "*SR-000001* (open)\nAlice's export fails\nResponse due Tue 24 Nov 12:05 (Europe/Paris)",
    ]
    assert _texts(_home(conversation, "dave")) == ["*SR-000002* (waiting for your answers)\nDave's own question"]


def test_a_closed_request_leaves_the_requesters_home(conversation):
    request = complete_request(conversation, "Solved soon")
    conversation.slack.block_actions("bob", card_of(conversation), "card:resolve")
    conversation.settle()
    assert _texts(_home(conversation, "alice"))[0].startswith("*SR-000001* (resolved, please confirm)\n")
    question = conversation.thread(request.root.channel, request.root.ts)[-1]
    conversation.slack.block_actions("alice", question, "resolution:yes")
    conversation.settle()
    assert _texts(_home(conversation, "alice")) == [
        "Nothing open. Send me a message, or use /support, to ask for help."
    ]


def test_an_agent_sees_the_queue_breached_first_with_counts(conversation):
    complete_request(conversation, "First")
    complete_request(conversation, "Second &lt;!channel&gt;")
    where = conversation.emulator.workspace.channel("support-agents").id
    conversation.slack.slash_command("/frontdesk", "bob", where, "triage 2 P1 everyone is down")
    conversation.settle()
    conversation.now += timedelta(minutes=90)  # past P1's response target (1h), not P4's (2h)
    blocks = _home(conversation, "bob")
    assert _counts(blocks) == ["*Per priority*\nP1: 1\nP4: 1", "*Per plan*\nkpro: 2"]
    first, second = _texts(blocks)
    assert first.startswith("*SR-000002* P1 · kpro · incident · open\nSecond &lt;!channel&gt;\n*BREACHED* ")
    assert second.startswith("*SR-000001* P4 · kpro · incident · open\nFirst\nResponse due ")
    assert blocks[-1]["elements"][0]["text"] == "`/frontdesk list` for the lists."


def test_a_breach_the_sweep_has_said_stays_first(conversation):
    complete_request(conversation, "First")
    conversation.now += timedelta(hours=1)
    complete_request(conversation, "Second")
    conversation.now += timedelta(days=2)
    _sweep(conversation)  # says the breaches, and stores the response targets as breached
    first, second = _texts(_home(conversation, "carol"))
    assert (
        first
        == "*SR-000001* P4 · kpro · incident · open\nFirst\n*BREACHED* Response was due Tue 24 Nov 12:05 (Europe/Paris)"
    )
    assert second.startswith("*SR-000002* P4 · kpro · incident · open\nSecond\n*BREACHED* Response was due Tue 24 Nov ")


def test_the_messages_tab_publishes_nothing(conversation):
    workspace = conversation.emulator.workspace
    alice = workspace.user("alice")
    event = payloads.home_opened_event(alice.id, workspace.open_im(alice), None, workspace.next_ts())
    conversation.slack.event({**event, "tab": "messages"})
    conversation.settle()
    assert workspace.home_view("alice") is None
    assert conversation.emulator.calls("views.publish") == []
    with conversation.database.read() as session:
        assert [row.state for row in inbox.inbox_rows(session)] == [InboxState.DONE]


def test_a_long_queue_shows_the_first_fifty_and_how_many_more(db):
    with db.write() as session:
        for number in range(SHOWN + 3):
            priority = None if number == 0 else "P2"
            open_ticket(session, kind="question", actor="U1", now=START, status="open", priority=priority, plan="kpro")
        home = agent_home(session, START, ("P1", "P2"))
    view = render_json("slack/home_agent.json.j2", home=home, zone=ZoneInfo("Europe/Paris"), labels={})
    assert len(view["blocks"]) == 3 + SHOWN + 1 <= 100
    assert _counts(view["blocks"]) == [f"*Per priority*\nP2: {SHOWN + 2}\nnot set: 1", f"*Per plan*\nkpro: {SHOWN + 3}"]
    assert _texts(view["blocks"])[0] == "*SR-000001* no priority · kpro · question · open\n"
    assert view["blocks"][-1]["elements"][0]["text"] == "… and 3 more. `/frontdesk list` for the lists."


def test_a_requester_sees_a_breached_deadline_as_past(conversation):
    complete_request(conversation, "Still waiting")
    conversation.now += timedelta(days=2)
    _sweep(conversation)
    assert _texts(_home(conversation, "alice")) == [
        "*SR-000001* (open)\nStill waiting\nResponse was due Tue 24 Nov 12:05 (Europe/Paris)",
    ]
