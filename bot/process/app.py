"""The running Frontdesk: the receiver, the inbox worker and the delivery worker over one database.

Rules (docs/architecture.md, "Layers" and "The path of a message"):
- Everything is built from parameters (settings, desk config, database, Slack client, clock): no globals, so tests
  and `frontdesk demo` build the same application pointed at a local Slack.
- The bot's identity comes from one auth.test when the application is built (a bad token fails here, in one
  line, before anything is served); so do the team and app whose deliveries are ours (bot.slack.installation;
  `app_id`, the SLACK_APP_ID setting, names the app when auth.test does not).
- Storing a request wakes the inbox worker; a processed request wakes the delivery worker, so the usual path
  from Slack's event to the bot's answer takes no polling delay. Each worker works the rows of a claim on
  `THREADS` threads (Slack answers in hundreds of milliseconds; bot.threads.pool), and each has one more thread for
  urgent rows alone (what holds a trigger, and the views it opens), so a click is never queued behind slow work.
- The sweeps (bot.process.schedule: milestones, abandoned intake, unanswered resolutions, dead letters, waiting
  channels) run on APScheduler (bot.process.scheduler) at the app's clock; what they say wakes the delivery worker.
- Messages for a channel the bot is not in wait (bot.delivery); the agents are told once per channel
  (bot.slack.membership), and the bot's invitation to it sends them.
- Email: with an SMTP server (`smtp`), an email delivery worker sends the outbox's email rows; each mailbox of the
  desk config is polled in a thread of its own (bot.email.mailboxes), storing into the same inbox.
- Outgoing HTTP calls (trackers, paging, webhooks: bot.integrations.calls) are sent by an HTTP sender with the
  `callers` given (bot.integrations.wiring builds them at start); without any, no sender runs.
- `metrics` is the app's Prometheus page (bot.monitoring.scrape, at the app's clock); its Slack client times
  every Web API call for it (bot.monitoring.instruments). `wsgi()` serves the page at /metrics unless told
  not to (it has a port of its own: docs/operations.md, "Metrics"), and the read API under /api/v1 (bot.api).
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult

from bot.api.door import ReadApi
from bot.config.desk import DeskConfig
from bot.config.mail_servers import SmtpSettings
from bot.delivery.deliverer import Deliverer, delivery_client
from bot.desk.maintenance import add_configured
from bot.email.ingest import mail_store
from bot.email.mailboxes import Mailboxes
from bot.email.sender import EmailDeliverer
from bot.integrations.calls import Caller, HttpSender
from bot.integrations.trackers.door import TrackerDoor
from bot.integrations.trackers.tracker import Tracker
from bot.monitoring.instruments import MeteredWebClient
from bot.monitoring.scrape import MetricsPage
from bot.process.inbox_worker import InboxWorker
from bot.process.schedule import desk_sweeps
from bot.process.scheduler import Sweeper
from bot.process.web import FrontdeskWsgi
from bot.reports.status_page import status_page
from bot.slack.agent_forms import view_errors
from bot.slack.installation import Installation
from bot.slack.membership import WaitingAlert
from bot.slack.receiver import build_receiver
from bot.threads.runner import Runner
from storage.engine import Database

POLL = timedelta(seconds=1)  # how often the inbox is looked at when nothing wakes the worker
THREADS = 8  # rows of one claim worked at once, in the inbox worker and in the delivery worker (bot.threads.pool)


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
        smtp: SmtpSettings | None = None,
        app_id: str = "",
        threads: int = THREADS,
        callers: Mapping[str, Caller] | None = None,
        trackers: tuple[Tracker, ...] = (),
    ) -> None:
        self.desk, self.database, self.clock = desk, database, clock
        self.trackers = trackers  # with their webhook secrets: POST /integrations/<tracker>
        self._signing_secret = signing_secret
        self.client = MeteredWebClient(token=token, base_url=api_url)
        self.metrics = MetricsPage(database, clock)
        auth = self.client.auth_test()
        self.bot_user = str(auth["user_id"])
        identity = AuthorizeResult.from_auth_test_response(bot_token=token, auth_test_response=auth)
        self.worker = InboxWorker(
            database, desk, self.client, bot_user=self.bot_user, threads=threads, urgent_elsewhere=True
        )
        alert = WaitingAlert(desk, self.bot_user)
        self.deliverer = Deliverer(
            database,
            delivery_client(token, api_url),
            clock,
            on_parked=alert.parked,
            threads=threads,
            urgent_elsewhere=True,
        )
        self.delivery = Runner(self.deliverer.round, name="delivery", poll=self.deliverer.settings.poll_interval)
        self.urgent_delivery = Runner(self._deliver_urgent, name="delivery-urgent", poll=POLL)
        self.inbox = Runner(self._process, name="inbox", poll=POLL)
        self.urgent_inbox = Runner(self._process_urgent, name="inbox-urgent", poll=POLL)
        self.email = (
            Runner(EmailDeliverer(database, smtp, desk.email, clock).poll, name="email", poll=POLL) if smtp else None
        )
        self.http_sender = HttpSender(database, callers, clock, threads=threads) if callers else None
        self.http = Runner(self.http_sender.round, name="http", poll=POLL) if self.http_sender else None
        self.mailboxes = Mailboxes(desk.email, database, mail_store(desk.intake.attachments_folder), clock)
        self.sweeper = Sweeper(database, desk_sweeps(database, desk), clock, on_said=self._said)
        self.slack_app: App = build_receiver(
            client=self.client,
            identity=identity,
            installation=Installation.from_auth_test(auth, app_id=app_id),
            database=database,
            clock=clock,
            on_stored=self._stored,
            check_view=lambda body, now: view_errors(body, desk, now),
        )

    def wsgi(self, *, metrics: bool = True) -> FrontdeskWsgi:
        page = partial(status_page, self.database, self.desk)
        return FrontdeskWsgi(
            self.slack_app,
            healthy=self._healthy,
            status_page=lambda: page(self.clock()),
            signing_secret=self._signing_secret,
            metrics=self.metrics if metrics else None,
            api=ReadApi(self.database, [priority.name for priority in self.desk.policy.priorities], self.clock),
            trackers=TrackerDoor(self.database, self.trackers, self.clock, on_stored=self._stored),
        )

    def start(self) -> "Frontdesk":
        add_configured(self.database, self.desk, self.clock())
        self.delivery.start()
        self.urgent_delivery.start()
        if self.email is not None:
            self.email.start()
        if self.http is not None:
            self.http.start()
        self.inbox.start()
        self.urgent_inbox.start()
        self.mailboxes.start()
        self.sweeper.start()
        return self

    def stop(self) -> None:
        self.sweeper.stop()
        self.mailboxes.stop()
        self.urgent_inbox.stop()
        self.inbox.stop()
        self.worker.close()
        self.urgent_delivery.stop()
        self.delivery.stop()
        self.deliverer.close()
        if self.email is not None:
            self.email.stop()
        if self.http is not None and self.http_sender is not None:
            self.http.stop()
            self.http_sender.close()

    def _stored(self) -> None:
        """Something was stored in the inbox: the inbox workers look at once."""
        self.urgent_inbox.wake()
        self.inbox.wake()

    def _said(self) -> None:
        """Something was stored in the outbox: the delivery workers look at once."""
        self.urgent_delivery.wake()
        self.delivery.wake()
        if self.email is not None:
            self.email.wake()
        if self.http is not None:
            self.http.wake()

    def _process(self) -> timedelta:
        """One round of the inbox worker; at once again while there was work, else after POLL."""
        taken = self.worker.process_once(self.clock())
        if taken:
            self._said()
        return timedelta(0) if taken else POLL

    def _process_urgent(self) -> timedelta:
        """One round of the inbox's urgent rows (what holds a trigger), on a thread no slow row holds up."""
        taken = self.worker.process_urgent(self.clock())
        if taken:
            self._said()
        return timedelta(0) if taken else POLL

    def _deliver_urgent(self) -> timedelta:
        """One round of the outbox's urgent rows (views, answers to clicks), on a thread of their own."""
        return timedelta(0) if self.deliverer.deliver_urgent(self.clock()) else POLL

    def _healthy(self) -> bool:
        try:
            self.database.check()
        except Exception:
            return False
        return True
