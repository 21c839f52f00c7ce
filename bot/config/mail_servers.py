"""Email settings: the SMTP server we send through and the IMAP mailboxes we poll (docs/architecture.md, "Environment").

Rules:
- SMTP comes from the environment: FRONTDESK_SMTP_HOST (no host: email is not sent, rows wait in the outbox),
  FRONTDESK_SMTP_PORT (default 587 for starttls, 465 for ssl, 25 otherwise), FRONTDESK_SMTP_USER,
  FRONTDESK_SMTP_PASSWORD, FRONTDESK_SMTP_TLS (`starttls`, the default, `ssl` or `none`). `starttls` fails when
  the server offers no STARTTLS (never a silent downgrade), and both check the server's certificate.
- A login is never sent in cleartext: FRONTDESK_SMTP_TLS=none with FRONTDESK_SMTP_USER or FRONTDESK_SMTP_PASSWORD
  is refused (one line at start naming the variables), unless FRONTDESK_SMTP_ALLOW_CLEARTEXT_LOGIN=1 says the
  relay is one where that is safe (on this machine, or on a private link). SmtpSettings refuses it too, so no
  code path can build such settings without the allowance.
- Mailboxes come from the desk config (`[[email.mailboxes]]`); a mailbox's password is read from the environment
  variable it names (`password_env`), never from the file.
- Every bad SMTP variable is reported at once (EmailSettingsError.problems), and so are SMTP variables set
  without FRONTDESK_SMTP_HOST (a host forgotten, not email turned off).
- Secrets never appear in a repr, a log line or an error message.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

TLS_MODES = ("starttls", "ssl", "none")
ALLOW_CLEARTEXT = "FRONTDESK_SMTP_ALLOW_CLEARTEXT_LOGIN"
CLEARTEXT_REFUSED = (
    "FRONTDESK_SMTP_TLS=none would send FRONTDESK_SMTP_USER and FRONTDESK_SMTP_PASSWORD unencrypted: use starttls"
    f" or ssl, or set {ALLOW_CLEARTEXT}=1 for a relay on this machine"
)
DEFAULT_PORTS = {"smtp": {"starttls": 587, "ssl": 465, "none": 25}, "imap": {"starttls": 143, "ssl": 993, "none": 143}}


class EmailSettingsError(ValueError):
    """Settings are missing or malformed; `problems` holds one line each, naming the variable, never its value."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    allow_cleartext_login: bool = False

    def __post_init__(self) -> None:
        if self.tls == "none" and (self.user or self.password) and not self.allow_cleartext_login:
            raise EmailSettingsError(CLEARTEXT_REFUSED)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "SmtpSettings | None":
        """The SMTP server the environment names; None when FRONTDESK_SMTP_HOST is not set."""
        env = os.environ if environ is None else environ
        host = env.get("FRONTDESK_SMTP_HOST", "").strip()
        problems = _smtp_problems(env, host)
        if problems:
            raise EmailSettingsError(*problems)
        if not host:
            return None
        tls = env.get("FRONTDESK_SMTP_TLS", "").strip().lower() or "starttls"
        port_text = env.get("FRONTDESK_SMTP_PORT", "").strip()
        return cls(
            host=host,
            port=int(port_text) if port_text else DEFAULT_PORTS["smtp"][tls],
            tls=tls,
            user=env.get("FRONTDESK_SMTP_USER", "").strip(),
            password=env.get("FRONTDESK_SMTP_PASSWORD", ""),
            allow_cleartext_login=env.get(ALLOW_CLEARTEXT, "").strip() == "1",
        )


SMTP_VARIABLES = ("FRONTDESK_SMTP_PORT", "FRONTDESK_SMTP_USER", "FRONTDESK_SMTP_PASSWORD", "FRONTDESK_SMTP_TLS")


def _smtp_problems(env: Mapping[str, str], host: str) -> list[str]:
    """Every bad SMTP variable at once, one line each."""
    if not host:
        given = [name for name in SMTP_VARIABLES if env.get(name, "").strip()]
        return (
            [f"{', '.join(given)} set without FRONTDESK_SMTP_HOST (the SMTP server to send through)"] if given else []
        )
    problems = []
    tls = env.get("FRONTDESK_SMTP_TLS", "").strip().lower() or "starttls"
    if tls not in TLS_MODES:
        problems.append("FRONTDESK_SMTP_TLS must be one of: " + ", ".join(TLS_MODES))
    port_text = env.get("FRONTDESK_SMTP_PORT", "").strip()
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        problems.append("FRONTDESK_SMTP_PORT must be a port number (1-65535)")
    login = env.get("FRONTDESK_SMTP_USER", "").strip() or env.get("FRONTDESK_SMTP_PASSWORD", "")
    if tls == "none" and login and env.get(ALLOW_CLEARTEXT, "").strip() != "1":
        problems.append(CLEARTEXT_REFUSED)
    return problems


@dataclass(frozen=True)
class MailboxSettings:
    """One IMAP mailbox: `name` is ours (it keys the inbox rows and the UIDVALIDITY we keep), `folder` the
    server's. `poll_seconds` is how often it is looked at when the server has no IDLE (and the longest an IDLE
    waits before looking again)."""

    name: str
    host: str
    port: int
    user: str
    password: str = field(default="", repr=False)
    folder: str = "INBOX"
    tls: str = "ssl"
    poll_seconds: float = 60.0
    timeout: float = 30.0
