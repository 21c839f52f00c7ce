"""Which stored messages start or continue a request."""

from bot.desk.intake.requests import Profile
from bot.slack.incoming import incoming_message, message_files, reacted_message, ticket_reaction

ALICE = Profile(user="U1", email="alice@example.com")


def message(channel, ts, text, *, thread_ts=None, kind="message", channel_type="channel"):
    event = {"type": kind, "channel": channel, "ts": ts, "text": text, "user": "U1", "channel_type": channel_type}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"event": event}


def read(payload):
    return incoming_message("k", payload, bot_user="UBOT", intake_channel="CINTAKE", profile=ALICE)


def test_a_dm_starts_a_request():
    incoming = read(message("D1", "1.0", "help", channel_type="im"))
    assert (incoming.channel, incoming.thread_ts, incoming.text, incoming.is_top_level) == ("D1", "1.0", "help", True)


def test_a_mention_starts_a_request_without_the_mention():
    incoming = read(message("CGEN", "1.0", "<@UBOT> the dashboard is blank, cc <@U9>"))
    assert incoming.text == "the dashboard is blank, cc <@U9>"


def test_any_top_level_message_in_the_intake_channel_starts_a_request():
    assert read(message("CINTAKE", "1.0", "printer on fire")) is not None


def test_chatter_elsewhere_is_not_for_frontdesk():
    assert read(message("CGEN", "1.0", "lunch?")) is None


def test_thread_replies_are_passed_on_anywhere():
    incoming = read(message("CGEN", "2.0", "yes", thread_ts="1.0"))
    assert (incoming.thread_ts, incoming.is_top_level) == ("1.0", False)


def reaction(user, emoji="ticket", item_type="message"):
    return {
        "event": {
            "type": "reaction_added",
            "user": user,
            "reaction": emoji,
            "item": {"type": item_type, "channel": "C1", "ts": "5.0"},
        }
    }


def test_only_a_ticket_reaction_on_a_message_points_at_it():
    assert ticket_reaction(reaction("UAGENT")) == ("C1", "5.0")
    assert ticket_reaction(reaction("UAGENT", "eyes")) is None
    assert ticket_reaction(reaction("UAGENT", item_type="file")) is None


def pointed(**fields):
    found = {"type": "message", "user": "U1", "ts": "5.0", "text": "<@UBOT> it broke"} | fields
    return reacted_message("k", "C1", found, bot_user="UBOT", profile_of=lambda user: Profile(user=user))


def test_a_pointed_at_message_is_its_authors_request_in_its_own_thread():
    incoming = pointed()
    assert (incoming.channel, incoming.thread_ts, incoming.text, incoming.profile.user) == (
        "C1",
        "5.0",
        "it broke",
        "U1",
    )


def test_bot_messages_edits_and_replies_are_not_pointed_at():
    assert pointed(bot_id="B1") is None
    assert pointed(user="UBOT") is None
    assert pointed(subtype="channel_join") is None
    assert pointed(thread_ts="4.0") is None
    assert pointed(thread_ts="5.0") is not None


def test_the_files_of_a_message_are_listed_when_they_are_objects():
    assert message_files({"event": {"files": [{"id": "F1"}, "junk"]}}) == [{"id": "F1"}]
    assert message_files({"event": {"files": "junk"}}) == []
