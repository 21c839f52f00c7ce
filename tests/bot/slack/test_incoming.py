"""Which stored messages start or continue a request."""

from bot.intake.requests import Profile
from bot.slack.incoming import incoming_message

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
