"""Agents by user group, end to end: a :ticket: reaction by a member of a configured group opens a request."""

from bot.config.desk import parse_desk_config
from storage import tickets


def _desk_with_a_group(conversation, tmp_path):
    """The desk's agents are the members of user group S0AGENTS01 (dave) only; nobody is listed by name."""
    ws = conversation.emulator.workspace
    ws.add_usergroup("l1", ["dave"], id="S0AGENTS01")
    text = f"""
policy = "owkin"
[slack]
intake_channel = "{ws.channel("support").id}"
agents_channel = "{ws.channel("support-agents").id}"
[agents]
usergroups = ["S0AGENTS01"]
"""
    conversation.desk = parse_desk_config(text, source="frontdesk.toml", folder=tmp_path)
    conversation.restart()
    return ws.add_channel("product", members=[ws.user("alice"), ws.user("bob"), ws.user("dave")])


def _request(conversation):
    with conversation.database.read() as session:
        return tickets.find_ticket(session, sr_number=1)


def test_a_ticket_reaction_by_a_group_member_opens_a_request(conversation, tmp_path):
    product = _desk_with_a_group(conversation, tmp_path)
    root = conversation.slack.user_says(product, "alice", "Exports time out").message
    conversation.settle()
    conversation.slack.reaction_added("dave", "ticket", product, root.ts)
    conversation.settle()
    said = conversation.bot_says(product.id, root.ts)
    assert said[0].startswith("*Your request so far*")
    assert "Exports time out" in said[0]
    ticket = _request(conversation)
    assert (ticket.slack_channel, ticket.slack_thread_ts) == (product.id, root.ts)


def test_a_ticket_reaction_by_someone_outside_the_groups_does_nothing(conversation, tmp_path):
    product = _desk_with_a_group(conversation, tmp_path)
    root = conversation.slack.user_says(product, "alice", "Exports time out").message
    conversation.settle()
    conversation.slack.reaction_added("bob", "ticket", product, root.ts)  # an agent elsewhere, not in the group
    conversation.slack.reaction_added("alice", "ticket", product, root.ts)
    conversation.settle()
    assert conversation.bot_says(product.id, root.ts) == []
    assert _request(conversation) is None
    assert len(conversation.emulator.calls("usergroups.users.list")) == 1  # members are kept, not read per reaction
