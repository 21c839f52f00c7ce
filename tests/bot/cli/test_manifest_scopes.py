"""The manifest asks for exactly the scopes the code uses: derived from the Web API methods bot/ calls (WebClient
calls, and the methods it asks the outbox to send) and the events it handles, each mapped to the bot scopes
Slack's reference documents for it (the map below is test data; each entry names its page)."""

import ast
import inspect
import json
import re
from functools import cache
from pathlib import Path

from slack_sdk import WebClient

from bot.cli.manifest import EVENTS, SCOPES
from bot.slack.routes import ROUTES, Way
from tests.bot.cli.conftest import run_frontdesk

BOT = Path(__file__).parents[3] / "bot"
NOT_SCANNED = (BOT / "delivery" / "slack_payload.py",)  # the outbox's contract: what a row may carry, not a call
METHODS_DOCS = "https://docs.slack.dev/reference/methods/"  # + the method's name
EVENTS_DOCS = "https://docs.slack.dev/reference/events/"  # + the event's name
HISTORY = {"channels:history", "groups:history", "im:history", "mpim:history"}

# Each method the bot calls and the bot scopes its reference page (METHODS_DOCS + name) lists. Where the page lists
# one scope per conversation type, the types the bot uses it on: threads and history are read in public and
# private channels, DMs, and group DMs (a :ticket: reaction there is read with conversations.replies).
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.history": HISTORY,
    "conversations.replies": HISTORY,
    "conversations.open": {"im:write"},  # a DM with one person (mpim:write would be for a group DM)
    "files.info": {"files:read"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "usergroups.users.list": {"usergroups:read"},
    "users.info": {"users:read", "users:read.email"},  # the profile's email needs users:read.email
    "views.open": set(),
    "views.update": set(),
    "views.publish": set(),
}
# Each event the bot subscribes to and the scopes its page (EVENTS_DOCS + name) lists.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "reaction_added": {"reactions:read"},
    # public and private channels (channels:read, groups:read): the bot is invited there; mpim:read would add
    # group DMs, into which nobody invites it
    "member_joined_channel": {"channels:read", "groups:read"},
}
MESSAGE_EVENTS = {"message.channels", "message.groups", "message.im", "app_mention"}  # where requests are asked
INVITED = {"member_joined_channel"}  # the bot notices it was invited to a channel
COMMANDS = {"commands"}  # the manifest's slash commands and global shortcut (docs.slack.dev/reference/scopes/commands)
SLACK_FAMILIES = {
    "admin", "api", "apps", "auth", "bookmarks", "bots", "calls", "canvases", "chat", "conversations", "dialog",
    "dnd", "emoji", "files", "pins", "reactions", "reminders", "search", "stars", "team", "usergroups", "users",
    "views", "workflows",
}  # fmt: skip
METHOD_NAME = re.compile(r"([a-z]+)\.[a-zA-Z]+(\.[a-zA-Z]+)*")


def scanned() -> list[Path]:
    return [p for p in sorted(BOT.rglob("*.py")) if not any(p == n or n in p.parents for n in NOT_SCANNED)]


@cache
def client_methods(attribute: str) -> frozenset[str]:
    """The Web API methods a WebClient method calls (files_upload_v2 calls two), from slack_sdk's own source."""
    source = inspect.getsource(getattr(WebClient, attribute))
    found = set(re.findall(r'api_call\(\s*"([\w.]+)"', source))
    for inner in set(re.findall(r"self\.(\w+)\(", source)) - {attribute}:
        if callable(getattr(WebClient, inner, None)):
            found |= client_methods(inner)
    return frozenset(found)


def called_methods() -> dict[str, set[str]]:
    """Every Web API method bot/ calls, with where: WebClient calls, and method names written in the code (what
    it asks the outbox to send, what the delivery worker sends)."""
    found: dict[str, set[str]] = {}
    for path in scanned():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: frozenset[str] = frozenset()
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                attribute = node.func.attr
                if not attribute.startswith("_") and callable(getattr(WebClient, attribute, None)):
                    names = client_methods(attribute)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                match = METHOD_NAME.fullmatch(node.value)
                if match and match.group(1) in SLACK_FAMILIES:
                    names = frozenset({node.value})
            for name in names:
                found.setdefault(name, set()).add(f"{path.relative_to(BOT.parent)}:{node.lineno}")
    return found


def handled_events() -> set[str]:
    routed = {route.id.partition(":")[0] for route in ROUTES if route.way is Way.EVENT}
    return routed | MESSAGE_EVENTS | INVITED


def needed_scopes() -> set[str]:
    methods = set().union(*(METHOD_SCOPES[name] for name in called_methods()))
    return methods | set().union(*(EVENT_SCOPES[name] for name in handled_events())) | COMMANDS


def test_every_method_the_code_calls_has_its_documented_scopes_here():
    called = called_methods()
    assert set(called) - set(METHOD_SCOPES) == set(), {name: called[name] for name in set(called) - set(METHOD_SCOPES)}
    assert {"chat.postMessage", "users.info", "conversations.replies", "files.completeUploadExternal"} <= set(called)


def test_the_scan_finds_calls_written_both_ways():
    assert client_methods("files_upload_v2") == {"files.getUploadURLExternal", "files.completeUploadExternal"}
    assert client_methods("users_info") == {"users.info"}
    assert "views.open" in called_methods()  # named for the outbox, never called on a WebClient in bot/


def test_the_manifest_subscribes_to_exactly_the_events_the_code_handles():
    assert set(EVENTS) == handled_events()
    assert set(EVENTS) <= set(EVENT_SCOPES)


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs():
    assert set(SCOPES) == needed_scopes()
    assert {"reactions:write", "im:read"}.isdisjoint(SCOPES)  # nothing reacts or reads a DM's details
    assert "mpim:history" in SCOPES  # a :ticket: reaction in a group DM is read with conversations.replies


def test_the_printed_manifest_has_them_all_once_and_sorted():
    manifest = json.loads(run_frontdesk("slack-manifest", "--socket-mode").stdout)
    scopes, events = (
        manifest["oauth_config"]["scopes"]["bot"],
        manifest["settings"]["event_subscriptions"]["bot_events"],
    )
    assert scopes == sorted(needed_scopes())
    assert events == sorted(handled_events())
