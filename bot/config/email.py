"""The desk config's `[email]` table: our address, the limits, which notifications go out, the IMAP mailboxes.

Rules:
- Without `[email]` (or without `address`) the desk sends no email to requesters and reads no mailbox; escalation
  and outage emails still wait in the outbox for an SMTP server.
- `address` is the From of everything we send and the domain of our Message-IDs; `name` its display name.
- `max_message_mb` (default 25, as Jira Service Management) caps a received message; `rate_per_hour` (default
  20) caps what one sender may send before further messages are held for review.
- `authserv_id` names our own mail server: only its `Authentication-Results` are believed, the topmost one (a
  sender can write any header; bot.email.verdicts). Without it no sender can be verified: a message that names a
  request, and mail from an agent's address, are held for review (a warning says so when the table is read);
  every failing verdict still counts.
- `agents_reply_by_email` (default true): an agent's (or L2/L3's) email whose From our server proved answers the
  requester in public; false holds every email from an agent's address for review.
- `notify` lists the notifications requesters get by email (NOTIFICATIONS); default all but `updates`.
- `[[email.mailboxes]]`: name (ours, unique), host, port (default by tls), user, password_env (the environment
  variable holding the password: never the password itself), folder (INBOX), tls (ssl, starttls or none; none
  sends the password in cleartext, so it is refused unless FRONTDESK_IMAP_ALLOW_CLEARTEXT_LOGIN=1),
  poll_seconds (60).
"""

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.config.mail_servers import DEFAULT_PORTS, TLS_MODES, MailboxSettings
from sla.policy_reader import Reader

NOTIFICATIONS = (
    "confirmation",  # the SR number once the request is complete
    "questions",  # the intake's questions (missing fields), refused files, reminders
    "replies",  # agents' public replies, workarounds, fixes, deferrals
    "updates",  # a status notice each time the update cadence falls due
    "resolution",  # "is it solved?" and the reopen and close notices
    "satisfaction",  # the rating question once closed
    "outages",  # outage notices to a customer's requesters
    "maintenance",  # maintenance notices to a customer's requesters
)
DEFAULT_NOTIFY = frozenset(NOTIFICATIONS) - {"updates"}
log = logging.getLogger(__name__)
_ADDRESS = re.compile(r"^[^@\s<>]+@([a-z0-9-]+\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class EmailDesk:
    address: str | None = None
    name: str = "Support"
    max_message_bytes: int = 25 * 1024 * 1024
    rate_per_hour: int = 20
    authserv_id: str | None = None
    agents_reply_by_email: bool = True
    notify: frozenset[str] = DEFAULT_NOTIFY
    mailboxes: tuple[MailboxSettings, ...] = field(default=())

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def domain(self) -> str:
        return (self.address or "frontdesk.invalid").rpartition("@")[2]

    def notifies(self, what: str) -> bool:
        """Whether requesters get notification `what` by email."""
        return self.enabled and what in self.notify


def read_email(reader: Reader, environ: Mapping[str, str] | None = None) -> EmailDesk:
    """The `[email]` table (`reader`), checked; PolicyError names the key."""
    env = os.environ if environ is None else environ
    address = reader.optional("address", str)
    if address is not None and not _ADDRESS.match(address.lower()):
        raise reader.error(f'"{address}" is not an email address such as support@example.com', "address")
    notify = reader.strings("notify", tuple(sorted(DEFAULT_NOTIFY)))
    for what in notify:
        if what not in NOTIFICATIONS:
            raise reader.error(f'"{what}" is not a notification ({", ".join(NOTIFICATIONS)})', "notify")
    desk = EmailDesk(
        address=address.lower() if address else None,
        name=reader.value("name", str, "Support"),
        max_message_bytes=int(reader.value("max_message_mb", float, 25.0) * 1024 * 1024),
        rate_per_hour=reader.value("rate_per_hour", int, 20),
        authserv_id=reader.optional("authserv_id", str),
        agents_reply_by_email=reader.value("agents_reply_by_email", bool, True),
        notify=frozenset(notify),
        mailboxes=tuple(_mailbox(item, env) for item in reader.children("mailboxes")),
    )
    if desk.max_message_bytes <= 0:
        raise reader.error("must be above 0", "max_message_mb")
    if desk.rate_per_hour < 1:
        raise reader.error("must be 1 or more", "rate_per_hour")
    names = [mailbox.name for mailbox in desk.mailboxes]
    if len(set(names)) != len(names):
        raise reader.error("two mailboxes have the same name", "mailboxes")
    if desk.mailboxes and not desk.enabled:
        raise reader.error("mailboxes need our address (the From of the answers)", "address")
    reader.done()
    if desk.enabled and not desk.authserv_id:
        log.warning(
            "[email] authserv_id is not set: no sender can be verified, so every email that names a request and"
            " every email from an agent's address is held for review (see docs/security.md)"
        )
    return desk


IMAP_CLEARTEXT = "FRONTDESK_IMAP_ALLOW_CLEARTEXT_LOGIN"  # tls = "none" only with this set to 1


def _mailbox(item: Reader, env: Mapping[str, str]) -> MailboxSettings:
    tls = item.value("tls", str, "ssl")
    if tls not in TLS_MODES:
        raise item.error(f'"{tls}" is not one of {", ".join(TLS_MODES)}', "tls")
    if tls == "none" and env.get(IMAP_CLEARTEXT, "").strip() != "1":
        raise item.error(
            f'"none" would send the mailbox\'s password in cleartext: use ssl or starttls, or set {IMAP_CLEARTEXT}=1'
            " for a server on this machine",
            "tls",
        )
    variable = item.value("password_env", str, required=True)
    if not env.get(variable):
        raise item.error(f"the environment variable {variable} (the mailbox's password) is not set", "password_env")
    port = item.value("port", int, DEFAULT_PORTS["imap"][tls])
    if not 0 < port < 65536:
        raise item.error("must be a port number (1-65535)", "port")
    mailbox = MailboxSettings(
        name=item.value("name", str, required=True),
        host=item.value("host", str, required=True),
        port=port,
        user=item.value("user", str, required=True),
        password=env[variable],
        folder=item.value("folder", str, "INBOX"),
        tls=tls,
        poll_seconds=item.value("poll_seconds", float, 60.0),
    )
    item.done()
    return mailbox
