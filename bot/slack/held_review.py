"""The agents' review of held emails in Slack: "Add to SR-…", "Open a new request" and "Dismiss".

Rules:
- The buttons are under the post that shows a held email in the agents channel (bot.slack.say.held_email); their
  value is the email record's id. Only agents may press them (bot.slack.routes, checked by bot.slack.gate before
  any of this), and a held email is decided once: a second press, by anyone, is told it was dealt with.
- The decision is done by `release` (bot.email.service.MailDesk.release, handed in by the worker: bot.slack
  imports nothing of bot.email); the post is then updated to show who decided what, without its buttons, and
  the agent is answered through the interaction's `response_url`.
"""

from collections.abc import Callable
from typing import Any

from bot.act import Act, ActContext
from bot.desk.intake.requests import Profile
from bot.desk.outcomes import Actor, done, refused
from bot.render import render
from bot.slack.agents import Agents
from bot.slack.routes import IDS, Matched
from storage import mail
from storage.kinds import EmailReview

DECISIONS = {"attached": EmailReview.ATTACHED, "opened": EmailReview.OPENED, "dismissed": EmailReview.DISMISSED}
Release = Callable[[ActContext, int, EmailReview, Actor], str | None]  # the SR it went to; None: decided already


class HeldReview:
    def __init__(self, release: Release, agents: Agents, profile_of: Callable[[str], Profile]) -> None:
        self.release, self.agents, self.profile_of = release, agents, profile_of

    def held(self, key: str, body: dict[str, Any], matched: Matched) -> Act | None:
        """An agent's decision (action id `held:<decision>`) on held email record `matched.subject`."""
        decision = DECISIONS.get(matched.route.id.removeprefix(IDS["held"]))
        if decision is None or matched.subject is None:
            return None
        user, url = matched.user, str(body.get("response_url") or "")
        by = Actor(user, self.agents.is_agent(user), self.profile_of(user).name)
        record_id = matched.subject

        def act(ctx: ActContext) -> None:
            sr = self.release(ctx, record_id, decision, by)
            outcome = done(f"held_{decision.value}", sr) if sr is not None else refused("held_decided")
            if sr is not None:
                entry = mail.get_email(ctx.session, record_id)
                details = {"name": entry.sender or "", "subject": entry.subject or ""} if entry else {}
                ctx.say.slack.held_decided(record_id, details, decision.value, sr, by.shown, key=f"{key}:decided")
            if url:
                ctx.say.slack.respond(url, render("slack/outcome.mrkdwn.j2", outcome=outcome), key=f"{key}:answer")

        return act
