"""The workspace's state: seeding, lookups, threads, time rules for triggers and response URLs."""

import pytest
from slack_sdk.webhook import WebhookClient

from slack_emulator import ChannelKind, SlackEmulator, Workspace
from slack_emulator.errors import ApiError
from tests.slack_emulator.helpers import ManualClock


def test_ids_are_deterministic_and_skip_ones_seeded_by_hand() -> None:
    ws = Workspace()
    ws.add_user("manual", id="U00000001")
    assert ws.add_user("next").id == "U00000002"
    assert ws.add_channel("first").id == "C00000001"
    assert ws.add_channel("private", private=True).id == "G00000001"


def test_timestamps_stay_distinct_and_ordered_under_a_frozen_clock(clock: ManualClock) -> None:
    ws = Workspace(clock=clock)
    support = ws.add_channel("support")
    stamps = [ws.post_message(support, ws.bot, text=str(n)).ts for n in range(3)]
    assert stamps == ["1795000000.000000", "1795000000.000001", "1795000000.000002"]


def test_lookups_by_name_say_what_exists_when_they_fail() -> None:
    ws = Workspace.example()
    assert ws.user("alice") is ws.user(ws.user("alice").id)
    assert ws.channel("#support") is ws.channel("support")
    with pytest.raises(LookupError, match=r"no user 'zoe'.*alice \(U"):
        ws.user("zoe")
    assert ws.get_user("U99999999") is None


def test_the_bot_is_in_the_channels_it_was_added_to() -> None:
    ws = Workspace.example()
    bot = ws.app.bot_user_id
    assert bot in ws.channel("support").members
    assert bot not in ws.channel("general").members
    ws.invite("general", ws.bot)
    assert bot in ws.channel("general").members
    ws.remove("general", ws.bot)
    assert bot not in ws.channel("general").members


def test_a_dm_with_the_bot_is_made_once() -> None:
    ws = Workspace.example()
    im = ws.open_im(ws.user("alice"))
    assert im.kind is ChannelKind.IM
    assert im is ws.open_im(ws.user("alice").id)
    assert ws.resolve_channel(ws.user("alice").id) == im


def test_a_thread_lists_its_parent_then_replies_and_the_top_level_hides_replies() -> None:
    ws = Workspace.example()
    support, alice, bob = ws.channel("support"), ws.user("alice"), ws.user("bob")
    parent = ws.post_message(support, alice, text="help")
    ws.post_message(support, bob, text="on it", thread_ts=parent.ts)
    ws.post_message(support, alice, text="another")
    assert [m.text for m in ws.messages(support)] == ["help", "another"]
    assert [m.text for m in ws.messages(support, parent.ts)] == ["help", "on it"]
    assert [m.text for m in ws.history(support)] == ["help", "on it", "another"]


def test_a_response_url_works_five_times_within_thirty_minutes(clock: ManualClock) -> None:
    ws = Workspace.example(clock=clock)
    alice = ws.user("alice")
    secret = ws.issue_response_url("support", alice)
    for _ in range(5):
        ws.response_urls.use(secret)
    with pytest.raises(ApiError, match="used_url"):
        ws.response_urls.use(secret)
    later = ws.issue_response_url("support", alice)
    clock.advance(30 * 60 + 1)
    with pytest.raises(ApiError, match="expired_url"):
        ws.response_urls.use(later)


def test_respond_posts_ephemeral_in_channel_or_replaces_the_original(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    support, alice = ws.channel("support"), ws.user("alice")
    card = ws.post_message(support, ws.bot, text="card")
    url = emulator.response_url(support.id, alice.id, card.ts)
    assert WebhookClient(url).send(text="just you").status_code == 200
    assert WebhookClient(url).send(text="everyone", response_type="in_channel").status_code == 200
    assert WebhookClient(url).send(text="card, updated", replace_original=True).status_code == 200
    assert [e.text for e in ws.ephemerals(support, alice)] == ["just you"]
    assert [m.text for m in ws.messages(support)] == ["card, updated", "everyone"]
    assert WebhookClient(url).send(text="", blocks=None).status_code == 400
    assert WebhookClient(url).send(delete_original=True).status_code == 200
    assert [m.text for m in ws.messages(support)] == ["everyone"]
    assert WebhookClient(url).send(text="sixth").status_code == 404
