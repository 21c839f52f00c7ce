"""The Bolt app that receives Slack: check, store in the inbox, acknowledge. Nothing else.

Rules (docs/security.md, "The HTTP door"; docs/architecture.md, "The path of a message", step 2):
- What reaches the app was checked first: over HTTP by the door (bot.slack.door: the signature on the raw bytes,
  then the body's shape), so Bolt's own signature check is off; over Socket Mode (not signed: the socket is
  authenticated) by `CheckedSocketModeHandler`, which checks the payload's shape (bot.slack.body) before Bolt reads
  it and acknowledges a malformed one without storing it, so Slack does not send it again.
- Bolt answers url_verification; then one global middleware refuses what is not for our installation
  (bot.slack.installation: 200, nothing stored, one log line per foreign team or app), stores the rest in the
  inbox under its key (bot.slack.inbox_keys) and answers 200 itself. No listener runs, so Bolt's small thread
  pool is never involved, and no Web API call happens before the acknowledgement.
- A duplicate key (a Slack retry, the app_mention twin of a message) is acknowledged and dropped; what Frontdesk
  does not act on is acknowledged and not stored; so is a request whose key fields are empty or of the wrong
  type (bot.slack.inbox_keys `Dropped`), with one warning naming its kind and field. Everything genuine gets a
  2xx, so Slack never disables events.
- If the inbox cannot be written the answer is 500, so Slack retries: an unstored request is never acknowledged.
- Concurrent requests share transactions (storage.group_commit): each request's row is handed to the group
  commit and its answer waits until the transaction holding that row has committed. One transaction per batch
  instead of per request is what lets one process keep up with a busy workspace on SQLite.
- Every request reaches Bolt through `dispatch`, whose context carries the app's logger from the start: Bolt
  reads it while building the context (a body with several `response_urls`) before it sets it itself.
- The bot's identity comes from one auth.test at start-up, not per request.
- `on_stored` is called after each new row commits, to wake the worker at once.
- A view submission is first given to `check_view` (pure: the view alone and the time); when it finds errors
  they are answered at once as `response_action: errors`, so the person fixes the form, and nothing is stored.
"""

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import build_headers, send_response
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.monitoring.log_once import LogOnce
from bot.slack.body import Malformed, check
from bot.slack.inbox_keys import Dropped, classify
from bot.slack.installation import Installation
from storage import inbox
from storage.engine import Database
from storage.errors import DatabaseUnavailableError, StorageError
from storage.group_commit import GroupCommit

log = logging.getLogger(__name__)
_bolt_log = logging.getLogger("frontdesk.bolt")
# Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that the client's token wins; here the
# token always comes from `identity`, so that warning says nothing true.
_bolt_log.addFilter(lambda record: not str(record.msg).startswith("As you gave `client` as well"))


def build_receiver(
    *,
    client: WebClient,
    identity: AuthorizeResult,
    installation: Installation,
    database: Database,
    clock: Callable[[], datetime],
    on_stored: Callable[[], None] = lambda: None,
    check_view: Callable[[dict[str, Any], datetime], dict[str, str] | None] = lambda body, now: None,
) -> App:
    """The Bolt app: url_verification, then the inbox middleware; the door in front of it has checked the rest."""
    app = App(
        signing_secret="",
        request_verification_enabled=False,  # the door verified the raw bytes; Socket Mode is not signed
        client=WebClient(base_url=client.base_url, timeout=client.timeout),  # the token comes from `identity`
        authorize=lambda: identity,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=_bolt_log,
    )
    foreign_logged = LogOnce(log)

    writer: GroupCommit[inbox.Arrival, bool] = GroupCommit(
        lambda arrivals: inbox.receive_all(database, arrivals), shared_errors=(DatabaseUnavailableError,)
    )

    def store_in_inbox(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        foreign = installation.foreign(body)
        if foreign is not None:
            foreign_logged.say(foreign, "dropped a delivery for another installation (%s), answered 200", foreign)
            return BoltResponse(status=200, body="")
        received = classify(body)
        if isinstance(received, Dropped):
            log.warning("dropped a %s whose %s is empty or not a string, answered 200", received.kind, received.field)
        if received is None or isinstance(received, Dropped):
            return BoltResponse(status=200, body="")
        errors = check_view(body, clock()) if received.kind == "view_submission" else None
        if errors:
            answer = {"response_action": "errors", "errors": errors}
            return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})
        arrival = inbox.Arrival(received.key, "slack", received.conversation, dict(body), clock())
        try:
            new = writer.submit(arrival)
        except StorageError as error:
            log.error("inbox write failed, Slack will retry: %s", error)
            return BoltResponse(status=500, body="")
        if new:
            on_stored()
        return BoltResponse(status=200, body="")

    app.use(store_in_inbox)
    return app


def dispatch(app: App, body: str | dict[str, Any], headers: Mapping[str, Any], mode: str = "http") -> BoltResponse:
    """Hands one checked request to Bolt, its context holding the logger Bolt may read before setting it."""
    return app.dispatch(BoltRequest(body=body, headers=headers, mode=mode, context={"logger": app.logger}))


class CheckedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler for `frontdesk run` without --http, with each payload's shape checked first."""

    def __init__(self, app: App, app_token: str) -> None:
        super().__init__(app, app_token=app_token)
        self._malformed = LogOnce(log)

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        try:
            check(req.payload)
        except Malformed as error:
            self._malformed.say(error.kind, "acknowledged a malformed Socket Mode payload unstored: %s", error.kind)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        start = time.time()
        send_response(client, req, dispatch(self.app, req.payload, build_headers(req) or {}, "socket_mode"), start)
