"""The desk config's `[jira]` (bot.config.trackers): Cloud or Data Center, the API path by flavour, a project key,
labels without spaces, https unless loopback, credentials by environment variable read at start (`jira_secrets`);
every problem names the file and the key."""

from pathlib import Path

import pytest

from bot.config.desk import DeskConfig, DeskConfigError, parse_desk_config
from bot.config.trackers import JiraDesk, jira_secrets

DESK = """
policy = "livepro"

[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"

[agents]
users = ["U0AGENT001"]
"""
CLOUD = """
[jira]
url = "https://acme.atlassian.net/"
project = "OPS"
email_env = "JIRA_EMAIL"
token_env = "JIRA_API_TOKEN"
"""


def desk_with(jira: str, tmp_path: Path) -> DeskConfig:
    return parse_desk_config(DESK + jira, source="desk.toml", folder=tmp_path)


def problems(jira: str, tmp_path: Path) -> list[str]:
    with pytest.raises(DeskConfigError) as caught:
        desk_with(jira, tmp_path)
    return caught.value.problems


def test_without_a_jira_table_no_jira(tmp_path: Path) -> None:
    assert desk_with("", tmp_path).jira is None


def test_cloud_with_its_defaults(tmp_path: Path) -> None:
    jira = desk_with(CLOUD, tmp_path).jira

    assert jira == JiraDesk(url="https://acme.atlassian.net", project="OPS", token_env="JIRA_API_TOKEN",
                            email_env="JIRA_EMAIL")  # fmt: skip
    assert (jira.flavour, jira.api_path, jira.issue_type, jira.public_prefix, jira.done_statuses) == (
        "cloud", "/rest/api/3", "Bug", "[public]", ())  # fmt: skip


def test_data_center_takes_a_personal_access_token_and_rest_v2(tmp_path: Path) -> None:
    jira = desk_with(
        """
[jira]
url = "https://jira.example.com/jira"
flavour = "datacenter"
project = "SUP"
issue_type = "Defect"
labels = ["support", "from-frontdesk"]
token_env = "JIRA_PAT"
webhook_secret_env = "JIRA_WEBHOOK_SECRET"
public_prefix = " [customer] "
done_statuses = ["Released", "Won't Fix"]
""",
        tmp_path,
    ).jira

    assert jira is not None
    assert (jira.api_path, jira.email_env, jira.labels, jira.public_prefix) == (
        "/rest/api/2", None, ("support", "from-frontdesk"), "[customer]")  # fmt: skip
    assert jira.done_statuses == ("released", "won't fix")
    secrets = jira_secrets(jira, {"JIRA_PAT": " pat-1 ", "JIRA_WEBHOOK_SECRET": "s3cret"})
    assert (secrets.token, secrets.email, secrets.webhook_secret) == ("pat-1", "", "s3cret")
    assert "pat-1" not in repr(secrets)
    assert "s3cret" not in repr(secrets)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ('flavour = "server"', 'jira.flavour: "server" is not one of cloud, datacenter'),
        ('labels = ["two words"]', 'jira.labels: "two words" is not a Jira label'),
        ('api_path = "rest/api/3"', "jira.api_path: must start with /"),
        ('public_prefix = "  "', "jira.public_prefix: must not be empty"),
        ('colour = "blue"', "colour"),
    ],
)
def test_a_wrong_value_is_a_problem_naming_the_key(change: str, problem: str, tmp_path: Path) -> None:
    [found] = problems(CLOUD + change + "\n", tmp_path)
    assert found.startswith("desk.toml: ")
    assert problem in found


def test_a_project_key_is_upper_case(tmp_path: Path) -> None:
    [found] = problems(CLOUD.replace('project = "OPS"', 'project = "ops"'), tmp_path)
    assert 'jira.project: "ops" is not a Jira project key such as OPS' in found


def test_the_site_is_https_unless_on_this_machine(tmp_path: Path) -> None:
    [found] = problems(CLOUD.replace("https://acme", "http://acme"), tmp_path)
    assert "jira.url: must be https (the token would travel in cleartext)" in found
    assert desk_with(CLOUD.replace("https://acme.atlassian.net/", "http://127.0.0.1:8080"), tmp_path).jira is not None


def test_cloud_needs_the_accounts_email(tmp_path: Path) -> None:
    [found] = problems(CLOUD.replace('email_env = "JIRA_EMAIL"\n', ""), tmp_path)
    assert "jira.email_env: is required" in found


def test_a_secret_missing_from_the_environment_is_named_at_start(tmp_path: Path) -> None:
    jira = desk_with(CLOUD + 'webhook_secret_env = "JIRA_WEBHOOK_SECRET"\n', tmp_path).jira
    assert jira is not None

    with pytest.raises(ValueError, match=r"jira\.email_env: the environment variable JIRA_EMAIL is not set"):
        jira_secrets(jira, {"JIRA_API_TOKEN": "t"})
    with pytest.raises(ValueError, match=r"jira\.webhook_secret_env: the environment variable JIRA_WEBHOOK_SECRET"):
        jira_secrets(jira, {"JIRA_API_TOKEN": "t", "JIRA_EMAIL": "bot@example.com", "JIRA_WEBHOOK_SECRET": " "})
