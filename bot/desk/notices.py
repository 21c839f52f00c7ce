"""Notices to every customer: outages and maintenance windows. No Slack.

Rules: a notice goes to the announcements channel (if configured) and to each customer's Slack channels, each
channel once, and by email to every known requester of each customer (by email domain), each address once, when
the desk config's `[email] notify` has `outages` (for outages) or `maintenance` (for maintenance windows).
Every copy has its own key derived from `key`, so a notice is never said twice to anyone. It is said through
bot.say.Say, imported for its type only, so nothing here imports Slack or email.
"""

from typing import TYPE_CHECKING

from bot.config.desk import DeskConfig
from storage import people
from storage.engine import Session

if TYPE_CHECKING:
    from bot.say import Say

NOTIFICATION = {"outage": "outages", "maintenance": "maintenance"}  # bot.config.email.NOTIFICATIONS


def notify_customers(
    session: Session,
    desk: DeskConfig,
    say: "Say",
    what: str,
    details: dict[str, str],
    *,
    key: str,
    ticket_id: int | None = None,
) -> None:
    channels = [desk.announcements_channel] if desk.announcements_channel else []
    channels += [channel for customer in desk.customers for channel in customer.slack_channels]
    for channel in dict.fromkeys(channels):
        say.announce(ticket_id, channel, what, details, key=f"{key}:{what}:{channel}")
    if NOTIFICATION[what.partition("_")[0]] not in desk.email.notify:
        return
    domains = [domain for customer in desk.customers for domain in customer.email_domains]
    for address in people.requester_emails(session, domains):
        say.email(ticket_id, address, what, details, key=f"{key}:{what}:{address}")
