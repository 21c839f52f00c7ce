"""Attacks on who may do what: every route of bot.slack.routes tried by someone without its role, and the takeovers
of another person's request, each through signed HTTP against the Slack emulator (docs/security.md).

The crafted payloads are generated from the route table itself, so a route added without a role is tried too.
Each attack asserts that the person was told why, that an `access.refused` audit row names the route, and that
nothing else changed: no request, message, attachment or other audit row, nothing posted or opened in Slack.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.authorization import AuthorizeResult
from sqlmodel import select

from bot.desk.intake.draft import Draft
from bot.process.inbox_worker import InboxWorker
from bot.slack.form_view import FormTarget, form_view
from bot.slack.installation import Installation
from bot.slack.receiver import CheckedSocketModeHandler, build_receiver
from bot.slack.routes import FRONTDESK, ROUTES, Role, Route, Subject, Way
from slack_emulator import SlackEmulator, SlackSide, Workspace, payloads
from slack_emulator.interactions import state_values
from slack_emulator.model import ChannelKind
from slack_emulator.shapes import view_json
from storage import audit
from storage.engine import Database
from storage.kinds import AuthorRole
from storage.tables.audit import AuditEvent
from storage.tables.queues import OutboxItem
from storage.tables.tickets import Attachment, Message, Ticket
from tests.bot.conversation import START, Conversation, conversation_on, desk_config

INTERACTIVE = "interactive"
FORGED = {
    "description": "Taken over",
    "email": "mallory@evil.example",
    "phone": "+33 6 98 76 54 32",
    "occurred_at": 1795503600,
    "no_files": ["none"],
    "kind": "question",
}  # fmt: skip  (2026-11-24 08:00 Paris, before the clock)
SOMEONE = ("mallory", "bob")  # a stranger in #support; an agent, for what is the requester's alone


@pytest.fixture
def alices(db: Database, tmp_path: Path) -> Iterator[Conversation]:
    """Alice's request SR-000001 in intake in the shared #support, with Mallory (no agent) in the channel."""
    ws = Workspace.example()
    ws.add_user("mallory", real_name="Mallory Evil", email="mallory@evil.example", phone="+33 6 98 76 54 31")
    ws.invite("support", "mallory")
    for conversation in conversation_on(db, ws, desk_config(ws, tmp_path)):
        conversation.slack.user_says("support", "alice", "Search is slow since this morning")
        conversation.settle()
        yield conversation


def _root(conversation: Conversation) -> str:
    with conversation.database.read() as session:
        ticket = session.exec(select(Ticket).order_by(Ticket.id)).one()
        assert ticket.slack_thread_ts is not None
        return ticket.slack_thread_ts


def _state(conversation: Conversation) -> dict[str, Any]:
    """All a refusal must leave as it was: the database but refusals, and what anyone sees in Slack."""
    ws = conversation.emulator.workspace
    with conversation.database.read() as session:
        stored = {
            "tickets": [row.model_dump() for row in session.exec(select(Ticket).order_by(Ticket.id))],
            "messages": [row.model_dump() for row in session.exec(select(Message).order_by(Message.id))],
            "attachments": [row.model_dump() for row in session.exec(select(Attachment).order_by(Attachment.id))],
            "audit": [
                (row.action, row.actor)
                for row in session.exec(select(AuditEvent).order_by(AuditEvent.id))
                if row.action != audit.REFUSED
            ],
        }
    shared = [c for c in ws.channels() if c.kind != ChannelKind.IM]  # a refusal may go to the person's DM
    slack = {
        "messages": [(c.name, m.ts, m.text, m.edited) for c in shared for m in ws.messages(c)],
        "views": [(v.user, v.definition.get("callback_id")) for v in ws.views()],
    }
    return {**stored, "slack": slack}


def _refusals(conversation: Conversation) -> list[AuditEvent]:
    with conversation.database.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == audit.REFUSED)).all()
        return [AuditEvent.model_validate(row.model_dump()) for row in rows]


def _said_to(conversation: Conversation, user: str) -> list[str]:
    ws = conversation.emulator.workspace
    ephemeral = [e.text for e in ws.ephemerals(user=user)]
    direct = [m.text for m in ws.messages(ws.open_im(user)) if m.user == conversation.bot_user]
    return ephemeral + direct


def _id_of(route: Route) -> str:
    """A concrete id for a route: a prefix gets a plausible tail."""
    tails = {"answer:": "yes", "rate:": "5", "reaction_added:": "ticket"}
    return route.id + tails.get(route.id, "") if route.id.endswith(":") else route.id


def _attack(conversation: Conversation, route: Route, user: str) -> None:
    """Sends `route`'s way in as `user` would craft it, naming Alice's request (id 1) where the route names one."""
    ws, slack = conversation.emulator.workspace, conversation.slack
    who, support, ticket = ws.user(user), ws.channel("support"), 1
    if route.way == Way.COMMAND:
        word = route.id.removeprefix(FRONTDESK).strip()
        slack.slash_command(FRONTDESK, user, "support", f"{word} SR-000001 taken over".strip())
        return
    if route.way == Way.EVENT:
        slack.reaction_added(user, "ticket", "support", _root(conversation))
        return
    if route.way == Way.ACTION:
        action_id = _id_of(route)
        block = f"{action_id.split(':')[0]}|{ticket}|contact" if route.subject == Subject.BLOCK else "attack"
        value = (
            f"{support.id}|{_root(conversation)}|{ws.user('alice').id}" if route.subject == Subject.MESSAGE else ticket
        )
        action = {"type": "button", "action_id": action_id, "block_id": block, "value": str(value),
                  "text": {"type": "plain_text", "text": "Yes"}, "action_ts": ws.next_ts()}  # fmt: skip
        fields = {
            "actions": [action],
            "container": {"type": "message", "message_ts": _root(conversation), "channel_id": support.id},
            "channel": {"id": support.id, "name": "support"},
            "response_url": conversation.emulator.response_url(support.id, who.id),
            "trigger_id": ws.issue_trigger(who),
        }
        slack.send(INTERACTIVE, payloads.interaction("block_actions", ws.app, ws.team, who, **fields))
        return
    assert route.way == Way.VIEW
    metadata = {
        Subject.FORM: json.dumps({"ticket": ticket, "files": 0, "channel": None}),
        Subject.METADATA_TICKET: json.dumps({"ticket": ticket, "value": "P1"}),
        Subject.METADATA: str(ticket),
    }[route.subject]
    definition = {"type": "modal", "callback_id": route.id, "title": {"type": "plain_text", "text": "Form"}}
    if route.subject == Subject.FORM:  # the real form, filled in as the receiver requires
        form = form_view(conversation.desk, Draft(), FormTarget(), None)
        definition = {**form}
    view = ws.open_view(who, {**definition, "private_metadata": metadata})
    if route.subject == Subject.FORM:
        view = ws.set_view_state(view.id, state_values(view.definition.get("blocks"), FORGED))
    if route.subject == Subject.METADATA_TICKET:  # a well-formed agent form, so that only the gate can refuse it
        typed = {"type": "plain_text_input", "value": "Taken over"}
        level = {
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "L2"}, "value": "L2"},
        }
        view = ws.set_view_state(view.id, {"text": {"text": typed}, "level": {"level": level}})
    fields = {"view": view_json(view, ws.app, ws.team), "response_urls": [], "trigger_id": ws.issue_trigger(who)}
    slack.send(INTERACTIVE, payloads.interaction("view_submission", ws.app, ws.team, who, **fields))
    ws.close_view(view.id)


def _guarded() -> list[tuple[Route, str]]:
    """Every route with a role, with each person who lacks it."""
    cases = []
    for route in ROUTES:
        if route.role == Role.ANYONE:
            continue
        people = SOMEONE if route.role == Role.REQUESTER else SOMEONE[:1]
        cases.extend((route, person) for person in people)
    return cases


@pytest.mark.parametrize(("route", "user"), _guarded(), ids=lambda case: getattr(case, "name", case))
def test_a_person_without_the_role_is_refused_on_every_route_and_nothing_changes(alices, route, user):
    before = _state(alices)
    _attack(alices, route, user)
    alices.settle()
    assert _state(alices) == before
    (refusal,) = _refusals(alices)
    assert refusal.actor == alices.emulator.workspace.user(user).id
    assert refusal.after == {"route": route.name, "needs": route.role.value, "reason": refusal.after["reason"]}
    assert refusal.ticket_id == (1 if route.role not in (Role.AGENT, Role.AUTHOR) else None)
    told = _said_to(alices, user)
    assert told, f"{user} was not told why"
    assert told[-1].startswith("Only ")


def test_every_route_with_a_request_says_where_the_payload_names_it():
    for route in ROUTES:
        if route.role in (Role.REQUESTER, Role.REQUESTER_OR_AGENT):
            assert route.subject != Subject.NONE, route.name


# -- the takeovers of another's request ------------------------------------------------------------------------


def test_a_stranger_replying_in_anothers_request_thread_answers_nothing_and_is_relayed_as_a_comment(alices):
    root = _root(alices)
    alices.slack.user_says("support", "mallory", "mallory@evil.example, +33 7 00 00 00 00", thread_ts=root)
    alices.settle()
    with alices.database.read() as session:
        ticket = session.exec(select(Ticket).order_by(Ticket.id)).one()
        written = session.exec(select(Message).where(Message.author_role == AuthorRole.OTHER)).all()
    assert ticket.contact_email == "alice@customer.example"
    assert "contact" in ticket.missing_fields
    assert [m.text for m in written] == ["mallory@evil.example, +33 7 00 00 00 00"]
    agents = alices.emulator.workspace.messages(alices.desk.agents_channel)
    assert agents[-1].text.startswith("*Mallory Evil* (not the requester) commented on SR-000001")
    (told,) = alices.emulator.workspace.ephemerals("support", "mallory")
    assert told.text.startswith("Only the person who asked can answer the questions of SR-000001")
    assert told.thread_ts == root


def test_a_stranger_pressing_the_answer_buttons_of_anothers_request_changes_nothing(alices):
    root = _root(alices)
    for answer in ("yes", "today 9am"):  # the contact, when: then the steps, with a "Not applicable" button
        alices.slack.user_says("support", "alice", answer, thread_ts=root)
        alices.settle()
    question = alices.thread(alices.emulator.workspace.channel("support").id, root)[-1]
    assert any(b["type"] == "actions" for b in question.blocks or [])  # "Not applicable" for the steps
    before = _state(alices)
    alices.slack.block_actions("mallory", question, "answer:not applicable")
    alices.settle()
    assert _state(alices) == before
    assert alices.emulator.workspace.ephemerals("support", "mallory")[-1].text.startswith(
        "Only the person who asked, or an agent, can answer the questions of SR-000001."
    )


def test_a_stranger_opening_fill_in_the_form_of_anothers_request_sees_none_of_its_details(alices):
    support = alices.emulator.workspace.channel("support").id
    status = alices.thread(support, _root(alices))[1]
    alices.slack.block_actions("mallory", status, "open_form")
    alices.settle()
    assert alices.emulator.workspace.views("mallory") == []
    assert "alice@customer.example" not in json.dumps(
        [e.text for e in alices.emulator.workspace.ephemerals(user="mallory")]
    )
    alices.slack.block_actions("alice", status, "open_form")
    alices.settle()
    (form,) = alices.emulator.workspace.views("alice")
    assert "alice@customer.example" in json.dumps(form.definition)


def test_a_stranger_submitting_the_support_form_with_anothers_request_id_changes_nothing(alices):
    ws = alices.emulator.workspace
    alices.slack.slash_command("/support", "mallory", "support", "my own problem")
    alices.settle()
    (form,) = ws.views("mallory")
    metadata = json.loads(form.definition["private_metadata"])
    forged = ws.open_view("mallory", {**form.definition, "private_metadata": json.dumps({**metadata, "ticket": 1})})
    ws.close_view(form.id)
    before = _state(alices)
    alices.slack.view_submission(forged, FORGED)
    alices.settle()
    after = _state(alices)
    assert after["tickets"] == before["tickets"]
    assert after["messages"] == before["messages"]
    (refusal,) = _refusals(alices)
    assert refusal.after["route"] == "view support_form"
    assert _said_to(alices, "mallory")[-1].startswith("Only the person who asked, or an agent, can answer")


def test_alices_contact_details_never_appear_where_mallory_can_read_them(alices):
    ws = alices.emulator.workspace
    seen = [m.text for c in ws.channels() if ws.user("mallory").id in c.members for m in ws.messages(c)]
    seen += [json.dumps(m.blocks) for c in ws.channels() if ws.user("mallory").id in c.members for m in ws.messages(c)]
    seen += [e.text for e in ws.ephemerals(user="mallory")]
    assert not any("alice@customer.example" in text or "+33612345678" in text for text in seen)
    (private,) = ws.ephemerals("support", "alice")
    assert "alice@customer.example" in private.text


# -- the same gate over Socket Mode -------------------------------------------------------------------------------


def test_over_socket_mode_a_crafted_card_button_by_a_customer_is_refused_too(db, tmp_path):
    with SlackEmulator(Workspace.example()) as emulator:
        ws, client = emulator.workspace, emulator.client()
        auth = client.auth_test()
        identity = AuthorizeResult.from_auth_test_response(bot_token=emulator.bot_token, auth_test_response=auth)
        app = build_receiver(client=client, identity=identity, installation=Installation.from_auth_test(auth),
                             database=db, clock=lambda: START)  # fmt: skip
        handler = CheckedSocketModeHandler(app, emulator.app_token)
        handler.connect()  # type: ignore[no-untyped-call]
        emulator.socket_mode.wait_for_connections(1)
        try:
            alice, support = ws.user("alice"), ws.channel("support")
            action = {"type": "button", "action_id": "card:resolve", "block_id": "card|1", "value": "resolve",
                      "action_ts": ws.next_ts()}  # fmt: skip
            fields = {"actions": [action], "trigger_id": ws.issue_trigger(alice),
                      "response_url": emulator.response_url(support.id, alice.id)}  # fmt: skip
            payload = payloads.interaction("block_actions", ws.app, ws.team, alice, **fields)
            assert SlackSide.over_socket_mode(emulator).send(INTERACTIVE, payload).acked
            worker = InboxWorker(db, desk_config(ws, tmp_path), client, bot_user=str(auth["user_id"]))
            assert worker.process_once(START) == 1
        finally:
            handler.close()  # type: ignore[no-untyped-call]
    with db.read() as session:
        (refusal,) = session.exec(select(AuditEvent).where(AuditEvent.action == audit.REFUSED)).all()
        assert (refusal.actor, refusal.subject) == (alice.id, "action card:resolve")
        (told,) = session.exec(select(OutboxItem)).all()
        assert told.payload["args"]["text"] == "Only agents can do that."
