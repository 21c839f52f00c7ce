"""Block Kit as the emulator checks it: every documented limit at its edge and just over, through the Web API
(a message's `invalid_blocks`, a view's `invalid_arguments`), slack_sdk's own checks, and hypothesis around the
edges."""

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk import WebClient

from slack_emulator import SlackEmulator, Workspace
from slack_emulator.blockkit import block_problems, view_problems
from tests.slack_emulator.helpers import Json, modal, refused, section


def plain(text: str) -> Json:
    return {"type": "plain_text", "text": text}


def button(text: str = "Go", **extra: object) -> Json:
    return {"type": "button", "text": plain(text), "action_id": "go", **extra}


def actions(*elements: Json) -> Json:
    return {"type": "actions", "elements": list(elements)}


def select(*options: Json, placeholder: str = "Pick one") -> Json:
    element = {"type": "static_select", "action_id": "pick", "placeholder": plain(placeholder)}
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Impact"},
        "accessory": {**element, "options": list(options)},
    }


def option(text: str = "High", value: str = "high") -> Json:
    return {"text": plain(text), "value": value}


def text_input(label: str = "What happened?", placeholder: str = "Say it") -> Json:
    element = {"type": "plain_text_input", "action_id": "text", "placeholder": plain(placeholder)}
    return {"type": "input", "block_id": "what", "label": plain(label), "element": element}


@dataclass(frozen=True)
class Edge:
    """A message whose blocks break exactly one limit, `most`, once `size` goes over it; `pointer` names where."""

    name: str
    most: int
    blocks: Callable[[int], list[Json]]
    pointer: str
    count: bool = False  # the limit is on items, not characters

    def problem(self) -> str:
        said = (
            f"no more than {self.most} items allowed" if self.count else f"must be less than {self.most + 1} characters"
        )
        return f"{said} [json-pointer:{self.pointer}]"


MESSAGE_EDGES = [
    Edge("button text", 75, lambda n: [actions(button("b" * n))], "/blocks/0/elements/0/text/text"),
    Edge("button value", 2_000, lambda n: [actions(button(value="v" * n))], "/blocks/0/elements/0/value"),
    Edge("action_id", 255, lambda n: [actions({**button(), "action_id": "a" * n})], "/blocks/0/elements/0/action_id"),
    Edge("block_id", 255, lambda n: [{"type": "divider", "block_id": "b" * n}], "/blocks/0/block_id"),
    Edge("option text", 75, lambda n: [select(option("o" * n))], "/blocks/0/accessory/options/0/text/text"),
    Edge("option value", 150, lambda n: [select(option(value="v" * n))], "/blocks/0/accessory/options/0/value"),
    Edge(
        "select placeholder",
        150,
        lambda n: [select(option(), placeholder="p" * n)],
        "/blocks/0/accessory/placeholder/text",
    ),
    Edge("input label", 2_000, lambda n: [text_input(label="l" * n)], "/blocks/0/label/text"),
    Edge("input placeholder", 150, lambda n: [text_input(placeholder="p" * n)], "/blocks/0/element/placeholder/text"),
    Edge("section text", 3_000, lambda n: [section("s" * n)], "/blocks/0/text/text"),
    Edge(
        "section field",
        2_000,
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * n}]}],
        "/blocks/0/fields/0/text",
    ),
    Edge("header text", 150, lambda n: [{"type": "header", "text": plain("h" * n)}], "/blocks/0/text/text"),
    Edge(
        "section fields",
        10,
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * n}],
        "/blocks/0/fields",
        count=True,
    ),
    Edge(
        "context elements",
        10,
        lambda n: [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * n}],
        "/blocks/0/elements",
        count=True,
    ),
    Edge(
        "actions elements",
        25,
        lambda n: [actions(*({**button(), "action_id": f"go-{i}"} for i in range(n)))],
        "/blocks/0/elements",
        count=True,
    ),
    Edge("blocks per message", 50, lambda n: [{"type": "divider"}] * n, "/blocks", count=True),
]


@pytest.mark.parametrize("edge", MESSAGE_EDGES, ids=lambda edge: edge.name)
def test_a_message_at_a_limit_is_posted_and_just_over_it_is_invalid_blocks(
    client: WebClient, ws: Workspace, edge: Edge
) -> None:
    support = ws.channel("support").id
    assert client.chat_postMessage(channel=support, text="at the edge", blocks=edge.blocks(edge.most))["ok"]
    answer = refused(client.chat_postMessage, channel=support, text="over", blocks=edge.blocks(edge.most + 1))
    assert answer == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [edge.problem()],
        "response_metadata": {"messages": [f"[ERROR] {edge.problem()}"]},
    }


VIEW_EDGES = [
    ("title", 24, lambda n: modal(title="t" * n), "/view/title/text"),
    ("submit", 24, lambda n: {**modal(), "submit": plain("s" * n)}, "/view/submit/text"),
    ("close", 24, lambda n: {**modal(), "close": plain("c" * n)}, "/view/close/text"),
    ("private_metadata", 3_000, lambda n: modal(private_metadata="m" * n), "/view/private_metadata"),
    ("callback_id", 255, lambda n: {**modal(), "callback_id": "c" * n}, "/view/callback_id"),
    (
        "button text in a view",
        75,
        lambda n: {**modal(), "blocks": [actions(button("b" * n))]},
        "/view/blocks/0/elements/0/text/text",
    ),
]


@pytest.mark.parametrize(("name", "most", "view", "pointer"), VIEW_EDGES, ids=[edge[0] for edge in VIEW_EDGES])
def test_a_view_at_a_limit_opens_and_just_over_it_is_invalid_arguments(
    client: WebClient, ws: Workspace, name: str, most: int, view: Callable[[int], Json], pointer: str
) -> None:
    alice = ws.user("alice")
    assert client.views_open(trigger_id=ws.issue_trigger(alice), view=view(most))["ok"]
    answer = refused(client.views_open, trigger_id=ws.issue_trigger(alice), view=view(most + 1))
    assert answer == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {
            "messages": [f"[ERROR] must be less than {most + 1} characters [json-pointer:{pointer}]"]
        },
    }


def test_a_view_takes_100_blocks_and_not_101(client: WebClient, ws: Workspace) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}] * 100}
    alice = ws.user("alice").id
    assert client.views_publish(user_id=alice, view=home)["ok"]
    answer = refused(client.views_publish, user_id=alice, view={**home, "blocks": [{"type": "divider"}] * 101})
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]


def test_every_problem_of_a_message_is_listed(client: WebClient, ws: Workspace) -> None:
    blocks = [actions(button("b" * 76)), {"type": "header", "text": plain("h" * 151)}]
    answer = refused(client.chat_postMessage, channel=ws.channel("support").id, text="two", blocks=blocks)
    assert answer["errors"] == [
        "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        "must be less than 151 characters [json-pointer:/blocks/1/text/text]",
    ]


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ({"type": "section"}, "text or fields attribute must be specified [json-pointer:/blocks/0]"),
        ({"type": "frobnicate"}, "unsupported type: frobnicate [json-pointer:/blocks/0/type]"),
        (
            {"type": "section", "text": {"type": "mrkdwn"}},
            "failed to match all allowed schemas [json-pointer:/blocks/0]",
        ),
        ({"text": "no type"}, "missing required field: type [json-pointer:/blocks/0]"),
    ],
)
def test_what_slack_sdks_models_refuse_is_invalid_blocks(
    client: WebClient, ws: Workspace, block: Json, problem: str
) -> None:
    answer = refused(client.chat_postMessage, channel=ws.channel("support").id, text="x", blocks=[block])
    assert (answer["error"], answer["errors"]) == ("invalid_blocks", [problem])


def test_an_update_an_ephemeral_and_a_file_share_check_blocks_too(client: WebClient, ws: Workspace) -> None:
    support, alice = ws.channel("support"), ws.user("alice")
    bad = [actions(button("b" * 76))]
    ts = client.chat_postMessage(channel=support.id, text="ok")["ts"]
    assert refused(client.chat_update, channel=support.id, ts=ts, text="x", blocks=bad)["error"] == "invalid_blocks"
    ephemeral = refused(client.chat_postEphemeral, channel=support.id, user=alice.id, text="x", blocks=bad)
    assert ephemeral["error"] == "invalid_blocks"
    shared = refused(client.files_upload_v2, channel=support.id, content=b"x", filename="a.txt", blocks=json.dumps(bad))
    assert shared["error"] == "invalid_blocks"
    assert [m.text for m in ws.messages(support)] == ["ok"]


@pytest.mark.parametrize("edge", MESSAGE_EDGES, ids=lambda edge: edge.name)
@given(over=st.integers(min_value=-5, max_value=5))
def test_blocks_are_refused_exactly_when_they_go_over_a_limit(edge: Edge, over: int) -> None:
    size = max(1, edge.most + over)
    problems = block_problems(edge.blocks(size), most=50)
    assert problems == (() if size <= edge.most else (edge.problem(),))


LABEL = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=90)


@given(label=LABEL)
def test_any_button_label_is_taken_exactly_up_to_75_characters(label: str) -> None:
    problems = block_problems([actions(button(label))], most=50)
    assert (problems == ()) == (len(label) <= 75)


@given(title=LABEL, metadata=st.text(max_size=3_010))
def test_any_modal_title_and_metadata_are_taken_exactly_up_to_their_limits(title: str, metadata: str) -> None:
    problems = view_problems(modal(title=title, private_metadata=metadata))
    assert (problems == ()) == (len(title) <= 24 and len(metadata) <= 3_000)


def test_an_empty_home_view_is_fine() -> None:
    view: dict[str, Any] = {"type": "home", "blocks": []}
    assert view_problems(view) == () == block_problems([], most=100)


def test_a_response_url_refuses_bad_blocks_with_400_and_the_same_problems(emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    url = emulator.response_url(ws.channel("support"), ws.user("alice"))
    body = json.dumps({"text": "x", "blocks": [actions(button("b" * 76))]}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    with raised.value as answer:
        assert answer.code == 400
        assert json.loads(answer.read())["errors"] == [
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"
        ]
