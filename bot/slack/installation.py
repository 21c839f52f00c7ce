"""Whether a delivery from Slack is for our installation of the app: the team (or org) and the app it names.

Rules (docs/security.md, "The HTTP door"):
- Our installation is what the start-up auth.test says: the workspace's team id, and for an Enterprise Grid
  org-wide install the org's id; and the app id (auth.test's `app_id`, else the `SLACK_APP_ID` setting; without
  either only the team is checked).
- A delivery names its installation as Bolt reads it: a view's `app_installed_team_id` (a modal opened from a
  Slack Connect channel), else the interaction's `team`, else the event's `authorizations` (any of them: a
  shared channel's event names the other workspace in `team_id` and our installation in `authorizations`), else
  the top-level `team_id` (slash commands). An org id counts only where the delivery says the install is
  org-wide (`is_enterprise_install`): every workspace of an org shares its id.
- A delivery naming another app (`api_app_id`), or no installation of ours, is foreign: the receiver answers 200
  (so Slack never disables the subscription for it) and stores nothing.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Installation:
    """Our team (and org, when installed org-wide) and app."""

    team_id: str
    enterprise_id: str | None = None
    org_wide: bool = False
    app_id: str | None = None

    @classmethod
    def from_auth_test(cls, auth: Mapping[str, Any], *, app_id: str = "") -> "Installation":
        """From auth.test's answer for the bot token; `app_id` is the setting, used when Slack names no app."""
        return cls(
            team_id=str(auth.get("team_id") or ""),
            enterprise_id=str(auth.get("enterprise_id") or "") or None,
            org_wide=auth.get("is_enterprise_install") is True,
            app_id=str(auth.get("app_id") or app_id) or None,
        )

    @property
    def ids(self) -> frozenset[str]:
        ours = {self.team_id} if self.team_id else set()
        if self.org_wide and self.enterprise_id:
            ours.add(self.enterprise_id)
        return frozenset(ours)

    def foreign(self, body: Mapping[str, Any]) -> str | None:
        """What the delivery names when it is not for us ("team T2", "app A9"), else None."""
        app = body.get("api_app_id")
        if self.app_id and app is not None and app != self.app_id:
            return f"app {app}"
        named = installations(body)
        if named & self.ids:
            return None
        return f"team {', '.join(sorted(named))}" if named else "no team"


def installations(body: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the installation(s) a delivery is for (the rules above)."""
    view = body.get("view")
    if isinstance(view, dict) and view.get("app_installed_team_id"):
        return frozenset({str(view["app_installed_team_id"])})
    authorizations = body.get("authorizations")
    parts = authorizations if isinstance(authorizations, list) and authorizations and "team" not in body else [body]
    return frozenset(found for part in parts if isinstance(part, dict) for found in _named(part))


def _named(part: Mapping[str, Any]) -> Iterator[str]:
    team = _id(part.get("team")) or part.get("team_id")
    if team:
        yield str(team)
    if part.get("is_enterprise_install") in (True, "true"):
        org = _id(part.get("enterprise")) or part.get("enterprise_id")
        if org:
            yield str(org)


def _id(value: Any) -> Any:
    """A `team` or `enterprise` field's id: the string itself, or the object's `id`."""
    return value.get("id") if isinstance(value, dict) else value if isinstance(value, str) else None
