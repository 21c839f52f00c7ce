"""The Slack side against a real Bolt app over HTTP: signed events, commands and interactions, as Slack sends them."""

import json
import threading
from collections.abc import Iterator

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient

from slack_emulator import RESPONSE_URL, Signing, SlackEmulator, SlackSide, Upload, Workspace
from tests.slack_emulator.bolt_server import BoltServer
from tests.slack_emulator.helpers import Json as Event
from tests.slack_emulator.helpers import modal, present


@pytest.fixture
def app(emulator: SlackEmulator) -> App:
    return App(client=emulator.client(), signing_secret=emulator.signing_secret)


@pytest.fixture
def slack(emulator: SlackEmulator, app: App) -> Iterator[SlackSide]:
    with BoltServer(app) as server:
        yield SlackSide.over_http(emulator, server.url)


def posted_text(emulator: SlackEmulator, text: str) -> dict[str, object]:
    """The arguments of the bot's chat.postMessage with `text`, once it has happened."""
    return dict(emulator.wait_for_call("chat.postMessage", lambda c: c.params.get("text") == text).params)


def test_url_verification_is_answered_with_the_challenge(slack: SlackSide) -> None:
    delivery = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert delivery.status == 200
    assert delivery.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_a_dm_is_stored_then_delivered_and_the_bot_answers_in_it(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.message()
    def echo(message: Event, say: Say) -> None:
        say(f"got: {message['text']}")

    alice = ws.user("alice")
    said = slack.dm(alice, "My printer is on fire")
    assert [d.status for d in said.deliveries] == [200]
    assert said.deliveries[0].elapsed < 3
    im = ws.open_im(alice)
    assert posted_text(emulator, "got: My printer is on fire")["channel"] == im.id
    assert [(m.user, m.text) for m in ws.messages(im)] == [
        (alice.id, "My printer is on fire"),
        (ws.bot.id, "got: My printer is on fire"),
    ]


def test_a_mention_arrives_twice_as_message_and_app_mention(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.event("app_mention")
    def mentioned(event: Event, say: Say) -> None:
        say(text="on it", thread_ts=str(event["ts"]))

    @app.message()
    def heard(message: Event) -> None:
        pass

    said = slack.user_says("support", "alice", f"<@{ws.app.bot_user_id}> help please")
    assert [d.payload["event"]["type"] for d in said.deliveries] == ["message", "app_mention"]
    assert [d.status for d in said.deliveries] == [200, 200]
    assert len({d.payload["event_id"] for d in said.deliveries}) == 2
    assert {d.payload["event"]["ts"] for d in said.deliveries} == {said.message.ts}
    assert posted_text(emulator, "on it")["thread_ts"] == said.message.ts


def test_nothing_is_delivered_where_the_bot_is_not(slack: SlackSide, ws: Workspace) -> None:
    said = slack.user_says("general", "alice", f"<@{ws.app.bot_user_id}> anyone?")
    assert said.deliveries == ()
    assert [m.text for m in ws.messages(ws.channel("general"))] == [f"<@{ws.app.bot_user_id}> anyone?"]


def test_a_person_outside_the_channel_cannot_write_in_it(slack: SlackSide) -> None:
    with pytest.raises(LookupError, match="dave is not in support"):
        slack.user_says("support", "dave", "hello")


def test_only_subscribed_events_are_delivered(emulator: SlackEmulator, app: App, ws: Workspace) -> None:
    with BoltServer(app) as server:
        slack = SlackSide.over_http(emulator, server.url, subscriptions={"app_mention"})
        assert slack.user_says("support", "alice", "no mention").deliveries == ()
        said = slack.user_says("support", "alice", f"<@{ws.app.bot_user_id}>")
    assert [d.payload["event"]["type"] for d in said.deliveries] == ["app_mention"]


def test_a_thread_reply_names_its_thread_and_parent_author(slack: SlackSide, app: App, ws: Workspace) -> None:
    app.message()(lambda: None)
    parent = slack.user_says("support", "alice", "first").message
    reply = slack.user_says("support", "bob", "second", thread_ts=parent.ts)
    event = reply.deliveries[0].payload["event"]
    assert (event["thread_ts"], event["parent_user_id"], event["channel_type"]) == (
        parent.ts,
        ws.user("alice").id,
        "channel",
    )


def test_files_come_with_the_message_and_as_file_shared_and_can_be_fetched(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.message()
    def with_files(message: Event, client: WebClient, say: Say) -> None:
        files = message.get("files") or []
        infos = [client.files_info(file=f["id"])["file"] for f in files]
        say(" ".join(f"{i['name']}:{i['size']}" for i in infos) or "no files")

    @app.event("file_shared")
    def shared(event: Event) -> None:
        pass

    said = slack.dm("alice", "see attached", files=[Upload("crash.log", b"Traceback...", mimetype="text/plain")])
    kinds = [(d.payload["event"]["type"], d.payload["event"].get("subtype")) for d in said.deliveries]
    assert kinds == [("message", "file_share"), ("file_shared", None)]
    assert [d.status for d in said.deliveries] == [200, 200]
    posted_text(emulator, "crash.log:12")
    (file_id,) = said.message.files
    assert ws.file(file_id).content == b"Traceback..."


def test_a_reaction_is_stored_and_delivered(slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace) -> None:
    @app.event("reaction_added")
    def reacted(event: Event, client: WebClient) -> None:
        item = event["item"]
        client.chat_postMessage(channel=item["channel"], thread_ts=item["ts"], text=f":{event['reaction']}: noted")

    message = ws.post_message(ws.channel("support"), ws.user("alice"), text="it broke")
    delivery = slack.reaction_added("bob", ":ticket:", "support", message.ts)
    assert delivery is not None
    assert delivery.status == 200
    assert delivery.payload["event"]["item_user"] == ws.user("alice").id
    assert posted_text(emulator, ":ticket: noted")["thread_ts"] == message.ts
    assert present(ws.message(ws.channel("support"), message.ts)).reactions[0].name == "ticket"


def test_opening_app_home_lets_the_bot_publish_it(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.event("app_home_opened")
    def home(event: Event, client: WebClient) -> None:
        client.views_publish(user_id=str(event["user"]), view={"type": "home", "blocks": []})

    assert present(slack.app_home_opened("alice")).status == 200
    emulator.wait_for_call("views.publish")
    assert ws.home_view(ws.user("alice")) is not None


def test_a_slash_command_is_acked_in_time_and_respond_and_views_open_land_in_the_emulator(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.command("/support")
    def support(ack: Ack, body: Event, respond: Respond, client: WebClient) -> None:
        ack("Opening the form…")
        client.views_open(trigger_id=str(body["trigger_id"]), view=modal())
        respond("The form is open")

    alice, support_channel = ws.user("alice"), ws.channel("support")
    delivery = slack.slash_command("/support", alice, support_channel, "printer")
    assert (delivery.status, delivery.acked, delivery.ack_payload) == (200, True, {"text": "Opening the form…"})
    assert delivery.elapsed < 3
    assert delivery.payload["text"] == "printer"
    emulator.wait_for_call(RESPONSE_URL)
    assert emulator.calls("views.open")[0].ok
    assert [v.callback_id for v in ws.views(alice)] == ["intake"]
    texts = {e.text for e in ws.ephemerals(support_channel, alice)}  # the ack and respond() race, as on Slack
    assert texts == {"Opening the form…", "The form is open"}


def test_a_shortcut_opens_a_modal(slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace) -> None:
    @app.shortcut("new_request")
    def shortcut(ack: Ack, body: Event, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=str(body["trigger_id"]), view=modal())

    assert slack.shortcut("new_request", "alice").status == 200
    assert emulator.wait_for_call("views.open").ok


def test_a_message_shortcut_carries_the_message_and_a_response_url(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.shortcut("make_ticket")
    def make_ticket(ack: Ack, shortcut: Event, respond: Respond) -> None:
        ack()
        respond(f"Ticket from: {shortcut['message']['text']}")

    message = ws.post_message(ws.channel("support"), ws.user("alice"), text="the VPN drops every hour")
    delivery = slack.message_action("make_ticket", "bob", message)
    assert delivery.status == 200
    assert delivery.payload["message_ts"] == message.ts
    emulator.wait_for_call(RESPONSE_URL)
    assert [e.text for e in ws.ephemerals("support", "bob")] == ["Ticket from: the VPN drops every hour"]


def test_a_button_press_replaces_the_message_through_respond(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace, client: WebClient
) -> None:
    @app.action("take")
    def take(ack: Ack, body: Event, respond: Respond) -> None:
        ack()
        respond(replace_original=True, text=f"Taken by <@{body['user']['id']}>")

    button = {"type": "button", "action_id": "take", "text": {"type": "plain_text", "text": "Take"}, "value": "SR-1"}
    card = client.chat_postMessage(channel="#support", text="SR-1", blocks=[{"type": "actions", "elements": [button]}])
    delivery = slack.block_actions("bob", present(ws.message(ws.channel("support"), card["ts"])), "take")
    assert delivery.status == 200
    assert delivery.payload["actions"][0]["value"] == "SR-1"
    emulator.wait_for_call(RESPONSE_URL)
    assert present(ws.message(ws.channel("support"), card["ts"])).text == f"Taken by <@{ws.user('bob').id}>"


def test_an_external_select_asks_the_app_for_options(slack: SlackSide, app: App, ws: Workspace) -> None:
    @app.options("customer")
    def customers(ack: Ack, payload: Event) -> None:
        typed = payload["value"]
        ack(options=[{"text": {"type": "plain_text", "text": f"{typed} Corp"}, "value": "c1"}])

    select = {"type": "external_select", "action_id": "customer", "placeholder": {"type": "plain_text", "text": "?"}}
    form = modal(
        blocks=[
            {"type": "input", "block_id": "who", "label": {"type": "plain_text", "text": "Customer"}, "element": select}
        ]
    )
    view = ws.open_view("bob", form)
    delivery = slack.block_suggestion("bob", view, "customer", "Acme")
    assert delivery.payload["block_id"] == "who"
    assert "trigger_id" not in delivery.payload
    assert delivery.ack_payload == {"options": [{"text": {"type": "plain_text", "text": "Acme Corp"}, "value": "c1"}]}


def test_a_view_submission_with_errors_keeps_the_modal_and_a_good_one_closes_it(
    slack: SlackSide, app: App, emulator: SlackEmulator, ws: Workspace
) -> None:
    @app.view("intake")
    def submitted(ack: Ack, view: Event, client: WebClient) -> None:
        text = view["state"]["values"]["what"]["text"]["value"]
        if len(text) < 5:
            ack(response_action="errors", errors={"what": "Tell us a little more"})
            return
        ack()
        client.chat_postMessage(channel="#support-agents", text=f"new request: {text}")

    alice = ws.user("alice")
    view = ws.open_view(alice, modal())
    short = slack.view_submission(view, {"text": "hm"})
    assert short.ack_payload == {"response_action": "errors", "errors": {"what": "Tell us a little more"}}
    assert present(ws.view(view.id)).is_open
    good = slack.view_submission(view, {"text": "The printer is on fire"})
    assert good.status == 200
    posted_text(emulator, "new request: The printer is on fire")
    assert not present(ws.view(view.id)).is_open


@pytest.mark.parametrize("signing", [Signing.BAD_SIGNATURE, Signing.STALE_TIMESTAMP, Signing.NO_HEADERS])
def test_a_request_that_is_not_properly_signed_gets_401(
    slack: SlackSide, app: App, emulator: SlackEmulator, signing: Signing
) -> None:
    app.message()(lambda say: say("should not happen"))
    said = slack.user_says("support", "alice", "hello", signing=signing)
    assert [d.status for d in said.deliveries] == [401]
    assert said.deliveries[0].failure == "http_error"
    assert slack.user_says("support", "alice", "signed").deliveries[0].status == 200
    posted_text(emulator, "should not happen")  # for the signed one only
    assert len(emulator.calls("chat.postMessage")) == 1


def test_a_retry_carries_slacks_retry_headers_and_the_same_event_id(
    slack: SlackSide, app: App, emulator: SlackEmulator
) -> None:
    @app.message()
    def retried(message: Event, request: BoltRequest, say: Say) -> None:
        say(
            json.dumps(
                {"num": request.headers.get("x-slack-retry-num"), "reason": request.headers.get("x-slack-retry-reason")}
            )
        )

    first = slack.user_says("support", "alice", "hello").deliveries[0]
    again = slack.retry(first, reason="http_timeout")
    assert (again.retry_num, again.payload["event_id"]) == (1, first.payload["event_id"])
    posted_text(emulator, json.dumps({"num": None, "reason": None}))
    posted_text(emulator, json.dumps({"num": ["1"], "reason": ["http_timeout"]}))


def test_an_app_that_does_not_answer_in_time_is_a_timeout(emulator: SlackEmulator, app: App, ws: Workspace) -> None:
    release = threading.Event()

    @app.command("/slow")
    def slow(ack: Ack) -> None:
        release.wait(5)
        ack()

    with BoltServer(app) as server:
        slack = SlackSide.over_http(emulator, server.url, timeout=0.3)
        delivery = slack.slash_command("/slow", "alice", "support")
        release.set()
    assert (delivery.status, delivery.acked, delivery.timed_out, delivery.failure) == (
        None,
        False,
        True,
        "http_timeout",
    )
    assert delivery.elapsed >= 0.3
