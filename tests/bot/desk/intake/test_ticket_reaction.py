"""The :ticket: reaction, end to end: an agent points at someone's message and it becomes their request."""

from slack_emulator import Upload, pings
from storage import messages, tickets
from storage.kinds import TicketStatus

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


def _product(conversation):
    ws = conversation.emulator.workspace
    return ws.add_channel("product", members=[ws.user("alice"), ws.user("bob"), ws.user("carol")])


def _requests(conversation):
    with conversation.database.read() as session:
        found = tickets.find_ticket(session, sr_number=1)
        later = tickets.find_ticket(session, sr_number=2)
        return found, later, messages.attachments_of(session, found.id) if found else []


def test_an_agents_ticket_reaction_makes_the_message_a_request_of_its_author(conversation):
    product = _product(conversation)
    text = "The dashboard shows yesterday's numbers <!channel> & <@U00000002>"
    said = conversation.slack.user_says(product, "alice", text, files=[Upload("dash.png", PNG)])
    conversation.settle()
    root = said.message
    assert conversation.bot_says(product.id, root.ts) == []

    conversation.slack.reaction_added("bob", "ticket", product, root.ts)
    conversation.settle()
    status, question = conversation.thread(product.id, root.ts)[1:]
    assert "The dashboard shows yesterday's numbers @channel &amp; @U00000002" in status.text
    assert "• Contact: email on file, phone on file _(to confirm)_" in status.text  # #product is shared
    assert "• Files: 1 file(s)" in status.text
    assert question.text.startswith("Can we reach you at the contact details we have?")
    assert all("alice@customer.example" not in m.text for m in conversation.thread(product.id, root.ts))
    (private,) = conversation.emulator.workspace.ephemerals(product, "alice")
    assert "email alice@customer.example, phone +33612345678" in private.text
    assert private.thread_ts == root.ts
    assert all(pings(m) == () for m in conversation.thread(product.id, root.ts) if m.user == conversation.bot_user)

    conversation.slack.block_actions("alice", private, "answer:yes")
    conversation.settle()
    (answered,) = conversation.emulator.workspace.ephemerals(product, "alice")[1:]
    assert answered.text.endswith("*Your answer:* Yes, that's right")
    for answer in ("today 9am", "not applicable", "incident"):
        conversation.slack.user_says(product, "alice", answer, thread_ts=root.ts)
        conversation.settle()
    assert conversation.bot_says(product.id, root.ts)[-1].startswith("Thank you. Your request is *SR-000001*.")

    ticket, _, (attachment,) = _requests(conversation)
    assert ticket.status == TicketStatus.OPEN
    assert ticket.description == "The dashboard shows yesterday's numbers @channel & @U00000002"
    assert (ticket.slack_channel, ticket.slack_thread_ts) == (product.id, root.ts)
    assert attachment.name == "dash.png"
    (card,) = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    assert "• Files: 1" in card.text


def test_a_ticket_reaction_by_someone_who_is_not_an_agent_does_nothing(conversation):
    product = _product(conversation)
    root = conversation.slack.user_says(product, "alice", "Search is slow").message
    conversation.slack.reaction_added("alice", "ticket", product, root.ts)
    conversation.slack.reaction_added("bob", "eyes", product, root.ts)
    conversation.settle()
    assert conversation.bot_says(product.id, root.ts) == []
    assert _requests(conversation)[0] is None


def test_a_second_ticket_reaction_on_the_same_message_opens_no_second_request(conversation):
    product = _product(conversation)
    root = conversation.slack.user_says(product, "alice", "Invoices are missing").message
    conversation.slack.reaction_added("bob", "ticket", product, root.ts)
    conversation.settle()
    conversation.slack.reaction_added("carol", "ticket", product, root.ts)
    conversation.settle()
    said = conversation.bot_says(product.id, root.ts)
    assert len(said) == 2  # the status and the first question, once
    first, second, _ = _requests(conversation)
    assert first is not None
    assert second is None


def test_a_ticket_reaction_on_a_message_that_already_is_a_request_changes_nothing(conversation):
    support = conversation.emulator.workspace.channel("support")
    root = conversation.slack.user_says(support, "alice", "Login fails").message
    conversation.settle()
    before = conversation.bot_says(support.id, root.ts)
    conversation.slack.reaction_added("bob", "ticket", support, root.ts)
    conversation.settle()
    assert conversation.bot_says(support.id, root.ts) == before
    assert _requests(conversation)[1] is None
