"""Every way in by message, end to end: a mention anywhere the bot is, a top-level message in the intake channel;
and markup typed in any field never pings anyone."""

from slack_emulator import pings
from storage import tickets

# What Slack sends when someone types "@channel @here @bob & <b>": special mentions as markup, & < > as entities.
INJECTION = "<!channel> <!here> <@U00000002> &amp; &lt;b&gt;"


def _requests(conversation):
    with conversation.database.read() as session:
        return [ticket for n in range(1, 5) if (ticket := tickets.find_ticket(session, sr_number=n))]


def test_a_mention_in_any_channel_the_bot_is_in_opens_one_request_without_the_mention(conversation):
    ws = conversation.emulator.workspace
    product = ws.add_channel("product", members=[ws.user("alice"), ws.user("bob")])
    said = conversation.slack.user_says(product, "alice", f"<@{conversation.bot_user}> exports are slow")
    assert len(said.deliveries) == 2  # `message` and `app_mention`, as Slack sends them
    conversation.settle()
    (ticket,) = _requests(conversation)
    assert ticket.description == "exports are slow"
    assert conversation.bot_says(product.id, said.message.ts)[-1].startswith("Can we reach you")


def test_a_top_level_message_in_the_intake_channel_opens_a_request_and_elsewhere_nothing(conversation):
    ws = conversation.emulator.workspace
    product = ws.add_channel("product", members=[ws.user("alice"), ws.user("bob")])
    conversation.slack.user_says(product, "alice", "lunch anyone?")
    said = conversation.slack.user_says("support", "alice", "The API returns 502")
    conversation.settle()
    (ticket,) = _requests(conversation)
    assert (ticket.slack_channel, ticket.slack_thread_ts) == (said.message.channel, said.message.ts)
    assert conversation.bot_says(product.id, ws.messages(product)[0].ts) == []


def test_markup_typed_in_every_field_is_shown_and_never_pings_anyone(conversation):
    root = conversation.slack.dm("alice", f"Broken {INJECTION}").message
    for answer in (
        f"{INJECTION}@example",  # a wrong email, echoed in the refusal
        "yes",
        f"whenever {INJECTION}",  # an unclear time, echoed in the refusal
        "today 9:00",
        f"1. click {INJECTION}",
        "none",
        f"an {INJECTION}",  # an unknown kind, echoed
        "incident",
    ):
        conversation.settle()
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
    conversation.settle()
    said = [m for m in conversation.thread(root.channel, root.ts) if m.user == conversation.bot_user]
    card = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    assert len(card) == 1
    assert "@channel @here @U00000002 &amp; &lt;b&gt;" in card[0].text
    assert [pings(message) for message in [*said, *card]] == [()] * (len(said) + 1)
    assert sum("@channel" in message.text for message in said) >= 3
