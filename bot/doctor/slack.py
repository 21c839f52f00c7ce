"""The Slack checks: the bot token, its scopes, the configured channels and user groups (docs/operations.md, "Doctor").

Rules:
- auth.test proves the bot token; in Socket Mode apps.connections.open proves the app-level token
  (`app_token_refused`, fatal). Slack unreachable (no connection, a timeout, HTTP 429 or 5xx) is `slack_unreachable`;
  any other refusal is `token_refused`; both are fatal and end the Slack checks.
- The scopes the token holds are those Slack names in auth.test's `x-oauth-scopes` header: every scope of the
  manifest (bot.cli.manifest, passed in as `wanted`) that is missing is named, on one line. Without the header
  (an older proxy in between) nothing is said about scopes.
- Each configured channel (conversations.info): `channel_not_found` (unknown, or private without the bot) and not a
  member (`is_member` false: "invite @Frontdesk to #name") are problems, each naming the key; each configured
  user group must answer usergroups.users.list, and each configured user users.info (unknown or deactivated is
  a problem). Placeholder ids (bot.doctor.configuration) are not looked up.
- These are warnings at start: the bot runs, and waits for what it cannot yet do (docs/operations.md).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from bot.config.desk import DeskConfig
from bot.config.environment import Settings
from bot.doctor.configuration import PLACEHOLDERS, ConfiguredId, configured_ids
from bot.doctor.findings import Finding, finding

TIMEOUT_SECONDS = 10
SCOPES_HEADER = "x-oauth-scopes"


class _Unreachable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    """Who the token is: the bot user's name, the team and the scopes held (None: Slack did not say)."""

    user: str
    team: str
    scopes: tuple[str, ...] | None


@dataclass(frozen=True)
class SlackReport:
    identity: Identity | None
    problems: tuple[Finding, ...] = ()
    channels: int = 0
    usergroups: int = 0


def client_for(settings: Settings) -> WebClient:
    return WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=TIMEOUT_SECONDS)


def who_am_i(client: WebClient) -> Identity | Finding:
    """auth.test: the token's identity, or the fatal finding that Slack is unreachable or refused the token."""
    try:
        auth = _call(client.auth_test)
    except _Unreachable as error:
        return finding("slack_unreachable", fatal=True, url=client.base_url, reason=error.reason)
    except SlackApiError as error:
        return finding("token_refused", fatal=True, error=_code(error))
    return Identity(str(auth.get("user", "")), str(auth.get("team", "")), _scopes(auth))


def check_app_token(base_url: str, app_token: str) -> Finding | None:
    """apps.connections.open with the app-level token (Socket Mode): None when Slack gives a link; the link, good
    for one connection a short while, is left unused."""
    client = WebClient(base_url=base_url, timeout=TIMEOUT_SECONDS)
    try:
        _call(client.apps_connections_open, app_token=app_token)
    except _Unreachable as error:
        return finding("slack_unreachable", fatal=True, url=base_url, reason=error.reason)
    except SlackApiError as error:
        return finding("app_token_refused", fatal=True, error=_code(error))
    return None


def check_slack(client: WebClient, desk: DeskConfig | None, wanted: Iterable[str]) -> SlackReport:
    """Every Slack check, in order; the first fatal finding ends them."""
    identity = who_am_i(client)
    if isinstance(identity, Finding):
        return SlackReport(None, (identity,))
    problems: list[Finding] = []
    if identity.scopes is not None:
        missing = [scope for scope in wanted if scope not in identity.scopes]
        if missing:
            problems.append(finding("scopes_missing", scopes=missing))
    ids = [found for found in configured_ids(desk) if found.value not in PLACEHOLDERS] if desk else []
    channels = [found for found in ids if found.what == "channel"]
    groups = [found for found in ids if found.what == "usergroup"]
    users = [found for found in ids if found.what == "user"]
    try:
        problems.extend(problem for found in channels if (problem := _channel(client, found)) is not None)
        problems.extend(problem for found in groups if (problem := _usergroup(client, found)) is not None)
        problems.extend(problem for found in users if (problem := _user(client, found)) is not None)
    except _Unreachable as error:
        problems.append(finding("slack_unreachable", fatal=True, url=client.base_url, reason=error.reason))
    return SlackReport(identity, tuple(problems), len(channels), len(groups))


def _channel(client: WebClient, found: ConfiguredId) -> Finding | None:
    try:
        channel = _call(client.conversations_info, channel=found.value)["channel"]
    except SlackApiError as error:
        if _code(error) == "channel_not_found":
            return finding("channel_not_found", key=found.key, channel=found.value)
        return finding("channel_unreadable", key=found.key, channel=found.value, error=_code(error))
    if not channel.get("is_member"):
        return finding("not_member", key=found.key, channel=found.value, name=channel.get("name") or found.value)
    return None


def _usergroup(client: WebClient, found: ConfiguredId) -> Finding | None:
    try:
        _call(client.usergroups_users_list, usergroup=found.value)
    except SlackApiError as error:
        return finding("usergroup_unreadable", key=found.key, usergroup=found.value, error=_code(error))
    return None


def _user(client: WebClient, found: ConfiguredId) -> Finding | None:
    try:
        user = _call(client.users_info, user=found.value)["user"]
    except SlackApiError as error:
        return finding("user_unknown", key=found.key, user=found.value, error=_code(error))
    if user.get("deleted"):
        return finding("user_deactivated", key=found.key, user=found.value, name=user.get("name") or found.value)
    return None


def _call(method: object, **arguments: object) -> SlackResponse:
    """One Web API call; _Unreachable when Slack cannot answer (network, timeout, 429, 5xx)."""
    try:
        return method(**arguments)  # type: ignore[operator, no-any-return]
    except (SlackApiError, SlackClientError, OSError) as error:
        reason = unreachable_reason(error)
        if reason is None:
            raise
        raise _Unreachable(reason) from None


def unreachable_reason(error: BaseException) -> str | None:
    """Why Slack could not answer (no connection, a timeout, HTTP 429 or 5xx); None when it answered a refusal."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        return f"HTTP {status}" if status == 429 or status >= 500 else None
    return _reason(error)


def _scopes(answer: SlackResponse) -> tuple[str, ...] | None:
    headers = {str(name).lower(): value for name, value in (answer.headers or {}).items()}
    value = headers.get(SCOPES_HEADER)
    if value is None:
        return None
    text = value[0] if isinstance(value, list) else str(value)
    return tuple(scope.strip() for scope in text.split(",") if scope.strip())


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error", "unknown_error"))


def _reason(error: BaseException) -> str:
    text = " ".join(str(getattr(error, "reason", None) or error).split())
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__
