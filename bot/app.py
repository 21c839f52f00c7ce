"""The running Frontdesk: the receiver, the inbox worker and the delivery worker over one database.

Rules (DESIGN.md, "Layers" and "The path of a message"):
- Everything is built from parameters (settings, desk config, database, Slack client, clock): no globals, so tests
  and `frontdesk demo` build the same application pointed at a local Slack.
- The bot's identity comes from one auth.test when the application is built (a bad token fails here, in one
  line, before anything is served).
- Storing a request wakes the inbox worker; a processed request wakes the delivery worker, so the usual path
  from Slack's event to the bot's answer takes no polling delay.
- Resolved requests left unanswered are closed by a sweep of their own, every SWEEP too.
- Abandoned intake is swept every minute (SWEEP) at the app's clock by a runner of its own; the sweep is
  idempotent, so issue 6 can hand it to APScheduler as it is.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.delivery.runner import DeliveryRunner
from bot.delivery.worker import Deliverer, delivery_client
from bot.desk.closing import sweep_resolved
from bot.desk_config import DeskConfig
from bot.intake.abandoned import sweep_abandoned
from bot.runner import Runner
from bot.slack.form_view import submission_errors
from bot.slack.receiver import build_receiver
from bot.slack.say import SlackSayer
from bot.web import FrontdeskWsgi
from bot.worker import InboxWorker
from storage.engine import Database

POLL = timedelta(seconds=1)  # how often the inbox is looked at when nothing wakes the worker
SWEEP = timedelta(minutes=1)  # how often abandoned intake is looked for (issue 6 moves sweeps to APScheduler)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Frontdesk:
    """One desk's application; `start()` runs its workers, `stop()` ends them after the work in hand."""

    def __init__(
        self,
        *,
        desk: DeskConfig,
        database: Database,
        token: str,
        api_url: str,
        signing_secret: str,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.desk, self.database, self.clock = desk, database, clock
        self.client = WebClient(token=token, base_url=api_url)
        auth = self.client.auth_test()
        self.bot_user = str(auth["user_id"])
        identity = AuthorizeResult.from_auth_test_response(bot_token=token, auth_test_response=auth)
        self.worker = InboxWorker(database, desk, self.client, bot_user=self.bot_user)
        self.deliverer = Deliverer(database, delivery_client(token, api_url), clock)
        self.delivery = DeliveryRunner(self.deliverer)
        self.inbox = Runner(self._process, name="inbox", poll=POLL)
        self.abandoned = Runner(self._sweep_abandoned, name="abandoned-intake", poll=SWEEP)
        self.unanswered = Runner(self._sweep_resolved, name="resolved-unanswered", poll=SWEEP)
        self.slack_app: App = build_receiver(
            signing_secret=signing_secret,
            client=self.client,
            identity=identity,
            database=database,
            clock=clock,
            on_stored=self.inbox.wake,
            check_view=lambda body, now: submission_errors(body, desk, now),
        )

    def wsgi(self) -> FrontdeskWsgi:
        return FrontdeskWsgi(self.slack_app, healthy=self._healthy)

    def start(self) -> "Frontdesk":
        self.delivery.start()
        self.inbox.start()
        self.abandoned.start()
        self.unanswered.start()
        return self

    def stop(self) -> None:
        self.unanswered.stop()
        self.abandoned.stop()
        self.inbox.stop()
        self.delivery.stop()

    def _process(self) -> timedelta:
        """One round of the inbox worker; at once again while there was work, else after POLL."""
        taken = self.worker.process_once(self.clock())
        if taken:
            self.delivery.wake()
        return timedelta(0) if taken else POLL

    def _sweep_abandoned(self) -> timedelta:
        """Remind and close abandoned intake at the app's clock; every SWEEP."""
        now = self.clock()
        swept = sweep_abandoned(self.database, self.desk, now, lambda session: SlackSayer(session, self.desk, now))
        if swept.anything:
            self.delivery.wake()
        return SWEEP

    def _sweep_resolved(self) -> timedelta:
        """Close resolved requests left unanswered past their time, at the app's clock; every SWEEP."""
        now = self.clock()
        if sweep_resolved(self.database, self.desk, now, lambda session: SlackSayer(session, self.desk, now)):
            self.delivery.wake()
        return SWEEP

    def _healthy(self) -> bool:
        try:
            self.database.check()
        except Exception:
            return False
        return True
