"""The defect trackers' Callers for the outgoing HTTP channel, built at start (bot.integrations.wiring).

Rules: one Caller per configured tracker (bot.integrations.trackers.configured, with the secrets read from the
environment there), by the tracker's name; each hands its answers to `record` (bot.desk.defects.on_sent with the
desk bound, given by bot.cli.startup). Each tracker adds one line to `_caller`.
"""

from collections.abc import Callable, Mapping

from bot.config.desk import DeskConfig
from bot.integrations.calls import Caller
from bot.integrations.trackers import configured
from bot.integrations.trackers.github import GitHubTracker
from bot.integrations.trackers.github_caller import GitHubCaller
from bot.integrations.trackers.jira import JiraTracker
from bot.integrations.trackers.jira_caller import JiraCaller
from bot.integrations.trackers.tracker import Tracker

Record = Callable[..., None]  # on_sent(session, tracker, call, answer, *, key, ticket_id, now)


def tracker_callers(desk: DeskConfig, environ: Mapping[str, str], record: Record) -> dict[str, Caller]:
    callers: dict[str, Caller] = {}
    for tracker in configured.with_secrets(desk, environ):
        caller = _caller(tracker, record)
        if caller is not None:
            callers[tracker.name] = caller
    return callers


def _caller(tracker: Tracker, record: Record) -> Caller | None:
    if isinstance(tracker, GitHubTracker):
        return GitHubCaller(tracker, record)
    if isinstance(tracker, JiraTracker):
        return JiraCaller(tracker, record)
    return None
