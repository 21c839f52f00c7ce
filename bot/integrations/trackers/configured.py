"""The defect trackers the desk config turns on (docs/integrations.md, "Defect trackers").

Rules:
- `trackers(desk)` are the configured trackers built without secrets, for what only builds calls: filing a
  defect, parsing a link, the reconciliation poll (each Caller adds the token when sending).
- `with_secrets(desk, environ)` builds them at start with their secrets from the environment (ValueError names a
  variable that is unset, as a DeskConfigError like the pagers'): the Callers and the webhook door use those.
- `filing_tracker(desk)` is the one a confirmed defect is filed in and linked to: the first configured, in the
  order `[github]`, `[jira]` (a desk configures one; with both, GitHub files and both are listened to).
- Each tracker adds one line to `_build`.
"""

from collections.abc import Mapping

from bot.config.desk import DeskConfig, DeskConfigError
from bot.config.trackers import github_secrets, jira_secrets
from bot.integrations.trackers.github import GitHubTracker
from bot.integrations.trackers.jira import JiraTracker
from bot.integrations.trackers.tracker import Tracker


def trackers(desk: DeskConfig) -> tuple[Tracker, ...]:
    return _build(desk, None)


def with_secrets(desk: DeskConfig, environ: Mapping[str, str]) -> tuple[Tracker, ...]:
    try:
        return _build(desk, environ)
    except ValueError as error:
        raise DeskConfigError([str(error)]) from None


def filing_tracker(desk: DeskConfig) -> Tracker | None:
    return next(iter(trackers(desk)), None)


def _build(desk: DeskConfig, environ: Mapping[str, str] | None) -> tuple[Tracker, ...]:
    found: list[Tracker] = []
    if desk.github is not None:
        secrets = github_secrets(desk.github, environ) if environ is not None else None
        found.append(GitHubTracker(desk.github, secrets) if secrets else GitHubTracker(desk.github))
    if desk.jira is not None:
        found.append(JiraTracker(desk.jira, jira_secrets(desk.jira, environ) if environ is not None else None))
    return tuple(found)
