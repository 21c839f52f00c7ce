"""Every check in one pass, for `frontdesk doctor` (docs/operations.md, "Doctor").

Rules: the configuration first; then Slack (when a bot token is set and looks like one; the app-level token too
when one is set and the bot token was taken), the SMTP login (when
an SMTP server is configured), each mailbox's login and the database (when its URL is valid); every finding of
every check is kept, in that order.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.config.mail_servers import SmtpSettings
from bot.doctor.configuration import Configuration, placeholders, read_configuration
from bot.doctor.database import DatabaseReport, check_database
from bot.doctor.findings import Finding
from bot.doctor.mail import imap_login, smtp_login
from bot.doctor.slack import SlackReport, check_app_token, check_slack, client_for


@dataclass(frozen=True)
class Diagnosis:
    configuration: Configuration
    slack: SlackReport | None
    database: DatabaseReport | None
    problems: tuple[Finding, ...]

    @property
    def smtp(self) -> SmtpSettings | None:
        return self.configuration.smtp

    @property
    def mailboxes(self) -> int:
        desk = self.configuration.desk
        return len(desk.email.mailboxes) if desk else 0


def diagnose(environ: Mapping[str, str], wanted_scopes: Iterable[str]) -> Diagnosis:
    configuration = read_configuration(environ)
    problems = list(configuration.problems)
    desk, settings = configuration.desk, configuration.settings
    if desk is not None:
        problems.extend(placeholders(desk))
    slack = None
    if settings.bot_token.startswith("xoxb-") and settings.api_url.startswith(("http://", "https://")):
        slack = check_slack(client_for(settings), desk, wanted_scopes)
        problems.extend(slack.problems)
        if settings.app_token.startswith("xapp-") and slack.identity is not None:
            problems.extend(found for found in [check_app_token(settings.api_url, settings.app_token)] if found)
    if configuration.smtp is not None:
        problems.extend(found for found in [smtp_login(configuration.smtp)] if found is not None)
    for mailbox in desk.email.mailboxes if desk else ():
        problems.extend(found for found in [imap_login(mailbox)] if found is not None)
    database = check_database(environ) if configuration.database_url_ok else None
    if database is not None:
        problems.extend(database.problems)
    return Diagnosis(configuration, slack, database, tuple(problems))
