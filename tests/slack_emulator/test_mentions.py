"""Whom a message would notify: the check for mention and markup injection."""

from typing import Any

import pytest

from slack_emulator import Ephemeral, Message, pings


def message(text: str = "", **fields: Any) -> Message:
    return Message(channel="C1", ts="1.000001", user="U1", text=text, **fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel> look", ("<!channel>",)),
        ("<!here|here> and <!everyone>", ("<!here|here>", "<!everyone>")),
        ("ask <@U0123ABC> or <@W99|bob>", ("<@U0123ABC>", "<@W99|bob>")),
        ("team <!subteam^S0614TZR7|@support>", ("<!subteam^S0614TZR7|@support>",)),
        ("escaped &lt;!channel&gt; and &lt;@U1&gt;", ()),
        ("plain @channel without link_names", ()),
        ("a date <!date^1392734382^{date}|Feb 18>", ()),
    ],
)
def test_mrkdwn_mentions_in_text_notify(text: str, expected: tuple[str, ...]) -> None:
    assert pings(message(text)) == expected


def test_link_names_turns_bare_names_into_mentions() -> None:
    assert pings(message("hey @here and @alice, mail a@b.c", link_names=True)) == ("@here", "@alice")
    assert pings(message("@channel", parse="full")) == ("@channel",)


def test_mrkdwn_in_blocks_and_attachments_notifies_and_plain_text_does_not() -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "<!here>"}},
        {"type": "header", "text": {"type": "plain_text", "text": "<!channel>"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "<@U2>"}]},
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "broadcast", "range": "everyone"}, {"type": "user", "user_id": "U3"}],
                }
            ],
        },
    ]
    attachments = [{"pretext": "<!subteam^S1>", "fields": [{"title": "x", "value": "<@U4>"}]}]
    found = pings(message("fallback", blocks=blocks, attachments=attachments))
    assert found == ("<!here>", "<@U2>", "<!subteam^S1>", "<@U4>", "<!everyone>", "<@U3>")


def test_ephemeral_messages_are_checked_too() -> None:
    assert pings(Ephemeral(channel="C1", user="U1", ts="1.1", text="<!channel>")) == ("<!channel>",)
