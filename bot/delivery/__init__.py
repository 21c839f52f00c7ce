"""Delivery: sends what the outbox holds for Slack, paced, in order per thread, retried, or dead-lettered.

Modules: `slack_payload` (the contract of a Slack outbox row, `enqueue_slack`, references and results), `pacing`
(per-channel paces and methods blocked by 429, shared by every process through the database), `call_results`
(what a Web API call came to), `tuning` (limits and backoff), `deliverer` (`Deliverer.deliver_once(now)`, and
`round()` for a thread).

Rules: this layer sends payloads; it writes no text of its own. Dependencies are parameters: the database,
the slack_sdk WebClient (without retry handlers), the clock, the settings and the random used for jitter.
"""

from bot.delivery.deliverer import Deliverer, delivery_client
from bot.delivery.pacing import Pace
from bot.delivery.slack_payload import InvalidPayload, SlackPayload, enqueue_slack
from bot.delivery.tuning import DeliverySettings

__all__ = [
    "Deliverer",
    "DeliverySettings",
    "InvalidPayload",
    "Pace",
    "SlackPayload",
    "delivery_client",
    "enqueue_slack",
]
