"""The route table: what each Slack payload is, who acted, and what request it names; templates take its ids."""

import contextlib
import json
import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.routes import FRONTDESK, IDS, ROUTES, Malformed, Role, Subject, Way, acting_user, route_of


def _action(action_id, block_id="", value=None, user="U1"):
    pressed = {"action_id": action_id, "block_id": block_id, **({"value": value} if value is not None else {})}
    return {"type": "block_actions", "user": {"id": user}, "actions": [pressed]}


def _view(callback_id, metadata="", user="U1"):
    return {
        "type": "view_submission",
        "user": {"id": user},
        "view": {"callback_id": callback_id, "private_metadata": metadata},
    }


def test_frontdesk_is_routed_by_its_first_word_and_help_or_a_typo_is_for_anyone():
    found = route_of({"command": "/frontdesk", "text": "Resolve SR-000001", "user_id": "U2"})
    assert (found.route.name, found.route.role, found.user) == ("command /frontdesk resolve", Role.AGENT, "U2")
    assert route_of({"command": "/frontdesk", "text": "help", "user_id": "U2"}).route.role == Role.ANYONE
    assert route_of({"command": "/frontdesk", "text": "resolv 1", "user_id": "U2"}).route.role == Role.ANYONE
    assert route_of({"command": "/support", "text": "status", "user_id": "U2"}).route.handler == "support_command"
    assert route_of({"command": "/other", "user_id": "U2"}) is None


def test_each_subject_is_read_from_its_own_place():
    assert route_of(_action("answer:yes", "answer|12|contact")).subject == 12
    assert route_of(_action("card:resolve", "card|7")).subject == 7
    assert route_of(_action("open_form", "intake_status", "12")).subject == 12
    assert route_of(_action("rate:5", "rate", "3")).subject == 3
    assert route_of(_view("support_form", json.dumps({"ticket": 4, "files": 0}))).subject == 4
    assert route_of(_view("support_form", json.dumps({"ticket": None}))).subject is None  # a new request
    assert route_of(_view("agent_reply", json.dumps({"ticket": 9, "value": None}))).subject == 9
    assert route_of(_view("rating_comment", "5")).subject == 5


@pytest.mark.parametrize(
    "body",
    [
        _action("answer:yes", "answer"),
        _action("answer:yes", "answer|x|contact"),
        _action("card:resolve", "card|-1"),
        _action("open_form", value="twelve"),
        _action("resolution:yes", value=True),
        _view("agent_reply", "not json"),
        _view("rating_comment", ""),
    ],
)
def test_a_route_that_acts_on_a_request_and_names_none_is_malformed(body):
    with pytest.raises(Malformed):
        route_of(body)


def test_who_acted_is_read_from_where_each_kind_carries_it():
    assert acting_user({"type": "block_actions", "user": {"id": "U1"}}) == "U1"
    assert acting_user({"command": "/support", "user_id": "U2"}) == "U2"
    assert acting_user({"type": "event_callback", "event": {"user": "U3"}}) == "U3"
    assert acting_user({"type": "event_callback", "event": "not an object"}) == ""


def test_the_messages_tab_and_other_reactions_have_no_route():
    home = {"type": "event_callback", "event": {"type": "app_home_opened", "tab": "messages", "user": "U1"}}
    assert route_of(home) is None
    eyes = {"type": "event_callback", "event": {"type": "reaction_added", "reaction": "eyes", "user": "U1"}}
    assert route_of(eyes) is None


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_any_json_is_routed_or_not_or_malformed_never_an_error(value):
    body = value if isinstance(value, dict) else {"type": "block_actions", "actions": value}
    with contextlib.suppress(Malformed):
        route_of(body)


def test_every_route_that_needs_the_request_says_where_the_payload_names_it():
    for route in ROUTES:
        if route.role in (Role.REQUESTER, Role.REQUESTER_OR_AGENT):
            assert route.subject != Subject.NONE, route.name


def test_templates_take_every_way_in_from_the_table_never_a_literal():
    """A literal action or callback id in a template must not be a way in: ways in come from `ids`."""
    folder = resources.files("templates") / "slack"
    literal = re.compile(r'"(?:action_id|callback_id)":\s*"([^"]+)"')
    for template in folder.iterdir():
        for found in literal.findall(template.read_text()):
            assert route_of(_action(found, "x|1", "1")) is None, (template.name, found)
            assert route_of(_view(found, '{"ticket": 1}')) is None, (template.name, found)
    used = " ".join(t.read_text() for t in folder.iterdir())
    for name in IDS:
        if not name.startswith("form_") and name != "rating_comment":
            assert f"ids.{name}" in used, name  # set by code for agent forms and the rating comment
    assert {route.way for route in ROUTES} == set(Way)


def test_docs_security_lists_every_way_in_with_who_may():
    text = (Path(__file__).parents[3] / "docs" / "security.md").read_text()
    table = text[text.index("## Who may do what") : text.index("## Email identity")]
    for route in ROUTES:
        word = route.id.removeprefix(FRONTDESK).strip()
        if route.way == Way.COMMAND and word:
            assert f"`{word}`" in table or f"`{FRONTDESK} {word}`" in table, route.name
        else:
            assert f"`{route.id.split(':')[0] if route.way == Way.EVENT else route.id}" in table, route.name
