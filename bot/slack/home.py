"""The bot's Home tab in Slack: published when someone opens it.

Rules:
- `app_home_opened` on the Home tab (not the Messages tab) publishes the person's view through the outbox
  (views.publish, ordered per person): the agents' queue for agents, their own requests for anyone else.
- Who is an agent and the person's profile are read before the worker's transaction.
- The view is rebuilt each time the tab is opened, so it shows the requests as they are then.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.act import Act, ActContext
from bot.config.desk import DeskConfig
from bot.desk.home import agent_home, requester_home
from bot.desk.intake.requests import Intake, Profile
from bot.render import render_json
from bot.slack.agents import Agents
from bot.slack.routes import Matched
from storage.engine import Session


class HomeTab:
    def __init__(self, desk: DeskConfig, agents: Agents, profile_of: Callable[[str], Profile]) -> None:
        self.desk, self.agents, self.profile_of = desk, agents, profile_of

    def home(self, key: str, body: dict[str, Any], matched: Matched) -> Act:
        """`app_home_opened` on the Home tab (bot.slack.routes leaves the Messages tab out)."""
        profile = self.profile_of(matched.user)
        is_agent = self.agents.is_agent(profile.user)

        def publish(ctx: ActContext) -> None:
            view = self._view(ctx.session, ctx.intake, profile, is_agent, ctx.now)
            ctx.say.slack.publish_home(profile.user, view, key=f"{key}:home")

        return publish

    def _view(self, session: Session, intake: Intake, profile: Profile, is_agent: bool, now: datetime) -> Any:
        if is_agent:
            priorities = tuple(level.name for level in self.desk.policy.priorities)
            home = agent_home(session, now, priorities)
            zone = self.desk.policy.calendar.zone
            labels = self.desk.policy.target_labels()
            return render_json("slack/home_agent.json.j2", home=home, zone=zone, labels=labels)
        home = requester_home(session, intake, profile)
        return render_json("slack/home_requester.json.j2", home=home, now=now, zone=profile.zone)
