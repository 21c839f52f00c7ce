"""The counters and histograms observed where the work happens, for `GET /metrics` (docs/operations.md, "Metrics").

Rules:
- One registry for the process (`INSTRUMENTS`), the project's own (never prometheus_client's global one); each
  `/metrics` page adds its database figures to it at scrape time (bot.monitoring.scrape).
- Labels are closed sets the code decides, never a person's or a request's id: a Web API method name (the code
  calls a fixed set of them), a delivery's result (`RESULTS`), a sweep's name (bot.process.schedule).
- Every Slack Web API call the bot makes through a `MeteredWebClient` (the app's, the delivery worker's and the
  look-ups', bot.slack.lookups) is timed per method, and a 429 answer is counted per method: one context
  manager around slack_sdk's `api_call`, nothing else on the hot path.
- A delivery is counted once per outcome of a try: `sent`, `rate_limited` (429, tried again after Retry-After),
  `retried` (5xx, network), `parked` (the bot is not in the channel), `dead` (a dead letter).
- An outgoing HTTP call (bot.integrations.calls) is timed per service (the Caller's name: `github`, `webhook`,
  never an endpoint's URL), and each try counted by service and result (`HTTP_RESULTS`).
- A read API request is counted by its answer (`API_ANSWERS`: ok, bad_request, unauthorized, not_found,
  not_allowed, unavailable), never by token, path or client.
- A sweep's run is timed (its histogram counts the runs), a failed run is counted, and a good one sets the
  sweep's last success to the wall-clock time (so `time() - ...` in an alert rule is its age).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

INSTRUMENTS = CollectorRegistry()
RESULTS = ("sent", "rate_limited", "retried", "parked", "dead")
EMAIL = "email"  # the method label of an email delivery

SLACK_SECONDS = Histogram(
    "frontdesk_slack_api_seconds",
    "Time a Slack Web API call took, answer or error, per method.",
    ["method"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=INSTRUMENTS,
)
SLACK_RATE_LIMITED = Counter(
    "frontdesk_slack_rate_limited", "Slack Web API calls answered 429, per method.", ["method"], registry=INSTRUMENTS
)
DELIVERIES = Counter(
    "frontdesk_deliveries",
    "Tries at delivering an outbox row, per Slack method (or email) and result.",
    ["method", "result"],
    registry=INSTRUMENTS,
)
HTTP_RESULTS = ("sent", "found", "rate_limited", "retried", "dead")  # `found`: an earlier try had gone through
HTTP_SECONDS = Histogram(
    "frontdesk_http_call_seconds",
    "Time an outgoing HTTP call took, answer or error, per service (bot.integrations.calls).",
    ["service"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=INSTRUMENTS,
)
HTTP_CALLS = Counter(
    "frontdesk_http_calls",
    "Tries at sending an outbox row over HTTP, per service (github, jira, pagerduty, opsgenie, webhook) and result.",
    ["service", "result"],
    registry=INSTRUMENTS,
)
API_ANSWERS = ("ok", "bad_request", "unauthorized", "not_found", "not_allowed", "unavailable")
API_REQUESTS = Counter(
    "frontdesk_api_requests",
    "Requests to the read API (/api/v1), per answer (bot.api.door).",
    ["answer"],
    registry=INSTRUMENTS,
)
TRACKER_WEBHOOKS = Counter(
    "frontdesk_tracker_webhooks",
    "Webhook deliveries from the defect trackers (POST /integrations/<tracker>), per tracker and result: stored, "
    "replayed, bad_signature, malformed, too_large, unavailable (bot.integrations.trackers.door).",
    ["tracker", "result"],
    registry=INSTRUMENTS,
)
SWEEP_SECONDS = Histogram(
    "frontdesk_sweep_seconds",
    "Time one run of a sweep took, per sweep.",
    ["sweep"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=INSTRUMENTS,
)
SWEEP_FAILURES = Counter("frontdesk_sweep_failures", "Runs of a sweep that failed.", ["sweep"], registry=INSTRUMENTS)
SWEEP_LAST_SUCCESS = Gauge(
    "frontdesk_sweep_last_success_timestamp_seconds",
    "When a sweep last ran to the end in this process (Unix time).",
    ["sweep"],
    registry=INSTRUMENTS,
)


@contextmanager
def slack_call(method: str) -> Iterator[None]:
    """Times the Web API call made inside, and counts it when Slack answers 429."""
    started = time.perf_counter()
    try:
        yield
    except SlackApiError as error:
        if getattr(error.response, "status_code", None) == 429:
            SLACK_RATE_LIMITED.labels(method).inc()
        raise
    finally:
        SLACK_SECONDS.labels(method).observe(time.perf_counter() - started)


class MeteredWebClient(WebClient):
    """A slack_sdk WebClient whose every Web API call is timed and its 429s counted (`slack_call`)."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        with slack_call(api_method):
            return super().api_call(api_method, **kwargs)


def delivered(method: str, result: str) -> None:
    """One try at delivering an outbox row came to `result` (one of `RESULTS`)."""
    DELIVERIES.labels(method, result).inc()


@contextmanager
def http_call(service: str) -> Iterator[None]:
    """Times the outgoing HTTP call made inside, per service."""
    started = time.perf_counter()
    try:
        yield
    finally:
        HTTP_SECONDS.labels(service).observe(time.perf_counter() - started)


def http_tried(service: str, result: str | None) -> None:
    """One try at sending an HTTP row came to `result` (one of `HTTP_RESULTS`); None: put back untried, not counted."""
    if result is not None:
        HTTP_CALLS.labels(service, result).inc()


@contextmanager
def sweep_run(name: str) -> Iterator[None]:
    """Times the sweep's run inside; a run that raises is counted as failed, one that returns is its last success."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        SWEEP_FAILURES.labels(name).inc()
        raise
    else:
        SWEEP_LAST_SUCCESS.labels(name).set(time.time())
    finally:
        SWEEP_SECONDS.labels(name).observe(time.perf_counter() - started)
