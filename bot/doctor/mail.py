"""The email checks: the SMTP login and each IMAP mailbox's login (docs/operations.md, "Doctor").

Rules:
- SMTP: connected, encrypted and logged in exactly as the email delivery worker does (bot.email.sender.connect),
  then QUIT; nothing is sent. IMAP: connected, encrypted, logged in and the folder selected read-only, then
  LOGOUT; nothing is marked.
- A failure is one warning line naming the server (and the mailbox); a password never appears in it.
"""

import contextlib

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from bot.config.mail_servers import MailboxSettings, SmtpSettings
from bot.doctor.findings import Finding, finding
from bot.email.sender import SmtpFailure, connect, quit_politely


def smtp_login(smtp: SmtpSettings) -> Finding | None:
    try:
        connection = connect(smtp)
    except SmtpFailure as failure:
        return finding("smtp_login", host=smtp.host, port=smtp.port, reason=_scrubbed(failure.error, smtp.password))
    quit_politely(connection)
    return None


def imap_login(mailbox: MailboxSettings) -> Finding | None:
    try:
        _log_in(mailbox)
    except LoginError:
        return _imap(mailbox, "login_refused")
    except (IMAPClientError, OSError) as error:
        return _imap(mailbox, "", reason=_scrubbed(f"{type(error).__name__}: {error}", mailbox.password))
    return None


def _log_in(mailbox: MailboxSettings) -> None:
    client = IMAPClient(mailbox.host, mailbox.port, ssl=mailbox.tls == "ssl", timeout=mailbox.timeout)
    try:
        if mailbox.tls == "starttls":
            client.starttls()
        client.login(mailbox.user, mailbox.password)
        client.select_folder(mailbox.folder, readonly=True)
        client.logout()
    finally:
        with contextlib.suppress(OSError):
            client.shutdown()


def _imap(mailbox: MailboxSettings, refusal: str, reason: str = "") -> Finding:
    return finding(
        "imap_login",
        name=mailbox.name,
        host=mailbox.host,
        port=mailbox.port,
        user=mailbox.user,
        folder=mailbox.folder,
        refusal=refusal,
        reason=reason[:200],
    )


def _scrubbed(text: str, password: str) -> str:
    return text.replace(password, "***") if password else text
