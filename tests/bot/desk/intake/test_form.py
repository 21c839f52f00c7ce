"""The support form end to end: /support, the shortcut and "Fill in the form" open it; errors show inline."""

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_emulator import Message, Workspace
from storage import inbox, tickets
from storage.kinds import TicketStatus
from tests.bot.conversation import conversation_on, desk_config

PARIS = ZoneInfo("Europe/Paris")
NINE = int(datetime(2026, 11, 24, 9, 0, tzinfo=PARIS).timestamp())


def _form(conversation, user="alice"):
    (view,) = conversation.emulator.workspace.views(user)
    return view


def _initial(view, block):
    (found,) = [b for b in view.definition["blocks"] if b.get("block_id") == block]
    element = found["element"]
    return element.get("initial_value") or element.get("initial_date_time") or element.get("initial_option")


def _status(conversation, channel, ts) -> Message:
    return conversation.thread(channel, ts)[1]


def test_support_opens_a_prefilled_form_whose_submission_opens_a_complete_request_in_a_dm(conversation):
    support = conversation.emulator.workspace.channel("support").id
    typed = "Exports &lt;b&gt;fail&lt;/b&gt; &amp; time out"  # as Slack sends what was typed
    conversation.slack.slash_command("/support", "alice", support, typed)
    conversation.settle()
    view = _form(conversation)
    assert view.definition["title"]["text"] == "Support request"
    assert _initial(view, "description") == "Exports <b>fail</b> & time out"
    assert _initial(view, "email") == "alice@customer.example"
    assert _initial(view, "phone") == "+33612345678"

    answers = {"occurred_at": NINE, "steps": "Open Reports, click Export", "no_files": ["none"], "kind": "incident"}
    delivery = conversation.slack.view_submission(view, answers)
    assert delivery.acked
    assert not delivery.body
    conversation.settle()

    dm = conversation.emulator.workspace.open_im("alice").id
    (status,) = conversation.emulator.workspace.messages(dm)
    assert "Everything is here. Thank you!" in status.text
    assert "Exports &lt;b&gt;fail&lt;/b&gt; &amp; time out" in status.text
    assert not status.blocks or all(block["type"] != "actions" for block in status.blocks)
    replies = conversation.bot_says(dm, status.ts)
    assert replies[-1].startswith("Thank you. Your request is *SR-000001*.")
    (card,) = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    assert card.text.startswith("*New request SR-000001* (incident")

    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=1)
    assert ticket.status == TicketStatus.OPEN
    assert (ticket.slack_channel, ticket.slack_thread_ts) == (dm, status.ts)
    assert ticket.occurred_at == datetime(2026, 11, 24, 9, 0, tzinfo=PARIS)
    assert ticket.reproduction_steps == "Open Reports, click Export"
    assert ticket.attachments_none


def test_a_reply_in_the_dm_thread_the_form_opened_belongs_to_the_request(conversation):
    conversation.slack.shortcut("support_request", "alice")
    conversation.settle()
    answers = {"description": "Login loops", "occurred_at": NINE, "kind": "question"}  # neither files nor "no files"
    delivery = conversation.slack.view_submission(_form(conversation), answers)
    assert delivery.json()["errors"] == {"files": 'Add screenshots or files, or tick "I have no files to share".'}

    delivery = conversation.slack.view_submission(_form(conversation), {**answers, "no_files": ["none"]})
    conversation.settle()
    dm = conversation.emulator.workspace.open_im("alice").id
    (status,) = conversation.emulator.workspace.messages(dm)
    conversation.slack.dm("alice", "It also happens on mobile", thread_ts=status.ts)
    conversation.settle()
    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, slack_thread=(dm, status.ts))
    assert ticket is not None
    assert ticket.sr_number == 1


def test_a_form_with_mistakes_shows_every_error_inline_and_stores_nothing(conversation):
    conversation.slack.shortcut("support_request", "alice")
    conversation.settle()
    with conversation.database.read() as session:
        stored = len(inbox.inbox_rows(session, limit=100))
    tomorrow = int(datetime(2026, 11, 25, 9, 0, tzinfo=PARIS).timestamp())
    answers = {
        "description": "Search is slow",
        "email": "alice@",
        "phone": "12",
        "occurred_at": tomorrow,
        "no_files": ["none"],
        "kind": "question",
    }
    delivery = conversation.slack.view_submission(_form(conversation), answers)
    assert delivery.json()["response_action"] == "errors"
    assert delivery.json()["errors"] == {
        "email": "This does not look like an email address.",
        "phone": "This does not look like a phone number; please include the country code, e.g. +33 6 12 34 56 78.",
        "occurred_at": "This is still to come; when did it happen?",
    }
    assert _form(conversation).is_open
    with conversation.database.read() as session:
        assert len(inbox.inbox_rows(session, limit=100)) == stored
        assert tickets.find_ticket(session, sr_number=1) is None


def test_fill_in_the_form_completes_a_request_started_in_a_dm(conversation):
    root = conversation.slack.dm("alice", "The invoice PDF is blank").message
    conversation.settle()
    status = _status(conversation, root.channel, root.ts)
    assert status.blocks[-1]["elements"][0]["text"]["text"] == "Fill in the form"
    click = conversation.slack.block_actions("alice", status, "open_form")
    conversation.settle()
    view = _form(conversation)
    assert _initial(view, "description") == "The invoice PDF is blank"
    assert _initial(view, "occurred_at") is None

    conversation.slack.view_submission(view, {"occurred_at": NINE, "no_files": ["none"], "kind": "incident"})
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Thank you. Your request is *SR-000001*.")
    status = _status(conversation, root.channel, root.ts)
    assert "Everything is here. Thank you!" in status.text
    assert all(block["type"] != "actions" for block in status.blocks)

    # a click from a client that still shows the button (another device) opens nothing for a complete request
    conversation.slack.send("interactive", {**click.payload, "trigger_id": "a-later-click"})
    conversation.settle()
    assert conversation.emulator.workspace.views("alice") == []


def test_a_double_submit_of_one_form_makes_one_request(conversation):
    conversation.slack.shortcut("support_request", "alice")
    conversation.settle()
    view = _form(conversation)
    answers = {"description": "Double", "occurred_at": NINE, "no_files": ["none"], "kind": "question"}
    first = conversation.slack.view_submission(view, answers)
    conversation.slack.send("interactive", first.payload)
    conversation.settle()
    with conversation.database.read() as session:
        assert tickets.find_ticket(session, sr_number=1) is not None
        assert tickets.find_ticket(session, sr_number=2) is None


def test_support_status_lists_the_requesters_own_requests_with_their_next_deadline(conversation):
    conversation.slack.dm("bob", "Bob's own problem")
    conversation.slack.dm("alice", "Alice's first problem")
    conversation.settle()
    support = conversation.emulator.workspace.channel("support").id
    conversation.slack.slash_command("/support", "alice", support, "status")
    conversation.settle()
    view = _form(conversation)
    assert view.definition["title"]["text"] == "Your requests"
    texts = [block["text"]["text"] for block in view.definition["blocks"] if block["type"] == "section"]
    assert texts == ["*SR-000002* (waiting for your answers)\nAlice's first problem"]


def test_support_status_with_no_requests_says_how_to_ask(conversation):
    support = conversation.emulator.workspace.channel("support").id
    conversation.slack.slash_command("/support", "alice", support, "status")
    conversation.settle()
    (block,) = _form(conversation).definition["blocks"]
    assert block["text"]["text"].startswith("You have no support requests yet.")


def test_a_double_click_on_fill_in_the_form_opens_one_form(conversation):
    root = conversation.slack.dm("alice", "Charts are empty").message
    conversation.settle()
    status = _status(conversation, root.channel, root.ts)
    conversation.slack.block_actions("alice", status, "open_form")
    conversation.slack.block_actions("alice", status, "open_form")
    conversation.settle()
    assert len(conversation.emulator.calls("views.open")) == 1
    assert len(conversation.emulator.workspace.views("alice")) == 1


def test_a_form_asked_for_in_a_customers_channel_is_that_customers_request(db, tmp_path):
    workspace = Workspace.example()
    general = workspace.channel("general").id
    customer = f'[[customers]]\nname = "Acme"\nplan = "professional"\nslack_channels = ["{general}"]\n'
    desk = desk_config(workspace, tmp_path, policy="k0nsult", extra=customer)
    for conversation in conversation_on(db, workspace, desk):
        conversation.slack.slash_command("/support", "alice", general, "Billing page fails")
        conversation.settle()
        answers = {"occurred_at": NINE, "no_files": ["none"], "kind": "question"}
        conversation.slack.view_submission(_form(conversation), answers)
        conversation.settle()
        with conversation.database.read() as session:
            assert tickets.find_ticket(session, sr_number=1).plan == "professional"
