"""Whose delivery it is: our workspace's, our org's when installed org-wide, never a neighbour's in the same org."""

from bot.slack.installation import Installation

WORKSPACE = Installation(team_id="T1", enterprise_id="E1", app_id="A1")
ORG_WIDE = Installation(team_id="T1", enterprise_id="E1", org_wide=True, app_id="A1")


def _authorized(team: str | None, org: str | None = None, *, org_wide: bool = False) -> dict[str, object]:
    return {"team_id": team, "enterprise_id": org, "is_enterprise_install": org_wide, "is_bot": True}


def test_an_event_is_ours_when_any_authorization_names_our_team():
    shared = {"team_id": "T9", "api_app_id": "A1", "authorizations": [_authorized("T9"), _authorized("T1", "E1")]}
    assert WORKSPACE.foreign(shared) is None


def test_another_workspace_of_our_org_is_foreign_to_a_workspace_install():
    neighbour = {"team_id": "T2", "enterprise_id": "E1", "authorizations": [_authorized("T2", "E1")]}
    assert WORKSPACE.foreign(neighbour) == "team T2"


def test_an_org_wide_install_takes_what_is_delivered_for_the_org():
    event = {"team_id": "T2", "authorizations": [_authorized(None, "E1", org_wide=True)]}
    click = {"type": "block_actions", "team": None, "enterprise": {"id": "E1"}, "is_enterprise_install": True}
    command = {"command": "/support", "team_id": "T2", "enterprise_id": "E1", "is_enterprise_install": "true"}
    assert [ORG_WIDE.foreign(body) for body in (event, click, command)] == [None, None, None]
    assert WORKSPACE.foreign(event) == "team E1"


def test_a_modal_opened_from_a_slack_connect_channel_is_ours_by_its_installed_team():
    submitted = {"type": "view_submission", "team": {"id": "T9"}, "view": {"app_installed_team_id": "T1"}}
    assert WORKSPACE.foreign(submitted) is None


def test_another_app_is_foreign_and_an_unknown_app_id_checks_the_team_only():
    assert WORKSPACE.foreign({"team_id": "T1", "api_app_id": "A2"}) == "app A2"
    assert Installation(team_id="T1").foreign({"team_id": "T1", "api_app_id": "A2"}) is None


def test_the_app_id_comes_from_auth_test_else_from_the_setting():
    named = {"team_id": "T1", "app_id": "A1", "is_enterprise_install": False}
    assert Installation.from_auth_test(named, app_id="A7").app_id == "A1"
    assert Installation.from_auth_test({"team_id": "T1"}, app_id="A7").app_id == "A7"
    assert Installation.from_auth_test({"team_id": "T1"}).app_id is None
