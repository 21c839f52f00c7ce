"""`frontdesk slack-manifest`: the Slack app manifest, so a new desk creates its app in one paste.

Rules:
- With `--url https://desk.example.com`, events, commands and interactivity point at `{url}/slack/events`
  (docs/architecture.md, "HTTP endpoints"); with `--socket-mode` no URL is needed and Socket Mode is switched on.
- The scopes and events are exactly those Frontdesk uses: nothing more (busy subscriptions cost deliveries).
  Each scope is there for a Web API method the bot calls or an event it handles, as Slack's reference lists them
  (tests/bot/cli/test_manifest_scopes.py derives them from the code): `chat:write` to post, update and post
  ephemerally; `*:history` for conversations.replies and conversations.history in public and private channels,
  DMs and group DMs (a :ticket: reaction there) and for the message events; `im:write` for conversations.open;
  `files:read` / `files:write` for files.info and the upload; `users:read` (+ `.email`) for users.info;
  `usergroups:read` for usergroups.users.list; `app_mentions:read`, `reactions:read`, and `channels:read` /
  `groups:read` for the app_mention, reaction_added and member_joined_channel events (invited to a channel);
  `commands` for the slash commands and the shortcut.
"""

import json
from urllib.parse import urlparse

import click

from bot.cli.errors import fail
from bot.render import render

SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "mpim:history",
    "reactions:read",
    "usergroups:read",
    "users:read",
    "users:read.email",
)
EVENTS = (
    "app_home_opened",
    "app_mention",
    "member_joined_channel",
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
)


@click.command("slack-manifest")
@click.option("--url", help="The public base URL of `frontdesk run --http`, e.g. https://desk.example.com.")
@click.option("--socket-mode", is_flag=True, help="Use Socket Mode (no public URL needed).")
@click.option("--name", default="Frontdesk", show_default=True, help="The app's name in Slack.")
def slack_manifest(url: str | None, socket_mode: bool, name: str) -> None:
    """Print the Slack app manifest (JSON) to paste at api.slack.com/apps > Create New App > From a manifest."""
    if not url and not socket_mode:
        fail("give --url https://your-host (HTTP events) or --socket-mode")
    if url:
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.netloc:
            fail(f'--url "{url}" must be an https:// URL that Slack can reach')
        url = url.rstrip("/")
    text = render("slack/manifest.json.j2", name=name, url=url, socket_mode=socket_mode, scopes=SCOPES, events=EVENTS)
    click.echo(json.dumps(json.loads(text), indent=2))
