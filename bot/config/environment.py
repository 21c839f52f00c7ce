"""Process settings from the environment (docs/architecture.md, "Environment").

Rules:
- Variables: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode when set), SLACK_APP_ID
  (optional: the app whose deliveries are ours, when Slack's auth.test does not name it), SLACK_API_URL
  (Web API base URL, default Slack's), FRONTDESK_CONFIG (desk config TOML, default `frontdesk.toml`),
  FRONTDESK_DATABASE_URL (default a SQLite file `frontdesk.db` in the working directory).
- Secrets never appear in a repr, a log line or an error message: problems name the variable, not its value.
- `problems_for_slack()` lists every missing or malformed setting at once, one line each.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///frontdesk.db"


@dataclass(frozen=True)
class Settings:
    """What the environment says; tokens are kept out of repr."""

    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    app_id: str = ""
    api_url: str = DEFAULT_API_URL
    config_path: Path = Path("frontdesk.toml")
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            app_id=env.get("SLACK_APP_ID", "").strip(),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            config_path=Path(env.get("FRONTDESK_CONFIG", "").strip() or "frontdesk.toml"),
            database_url=env.get("FRONTDESK_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        )

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def problems_for_slack(self, *, http: bool) -> list[str]:
        """Every missing or malformed Slack setting, one line each (never showing a value)."""
        problems = []
        if not self.bot_token:
            problems.append("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
        elif not self.bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)")
        if http and not self.signing_secret:
            problems.append("SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials)")
        if not http and self.app_token and not self.app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN does not look like an app-level token (it should start with xapp-)")
        if self.app_id and not (self.app_id.startswith("A") and self.app_id.isalnum()):
            problems.append("SLACK_APP_ID does not look like an app id (Basic Information > App ID, A...)")
        if not self.api_url.startswith(("http://", "https://")):
            problems.append("SLACK_API_URL must be an http(s) URL")
        return problems
