"""Settings from the environment: defaults, problems one line each, secrets never shown."""

from pathlib import Path

from bot.config.environment import DEFAULT_API_URL, Settings

SECRETS = {"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_SIGNING_SECRET": "shh-2", "SLACK_APP_TOKEN": "xapp-secret-3"}


def test_defaults_without_any_variable():
    settings = Settings.from_environment({})
    assert settings.api_url == DEFAULT_API_URL
    assert settings.database_url == "sqlite:///frontdesk.db"
    assert settings.config_path == Path("frontdesk.toml")
    assert not settings.socket_mode


def test_api_url_gets_the_trailing_slash_slack_sdk_needs():
    assert Settings.from_environment({"SLACK_API_URL": "http://127.0.0.1:9/api"}).api_url == "http://127.0.0.1:9/api/"


def test_app_token_means_socket_mode():
    assert Settings.from_environment(SECRETS).socket_mode


def test_every_problem_is_listed_once_without_values():
    settings = Settings.from_environment({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_API_URL": "ftp://x"})
    problems = settings.problems_for_slack(http=True)
    assert problems == [
        "SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)",
        "SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials)",
        "SLACK_API_URL must be an http(s) URL",
    ]
    assert all("xoxp-user-token" not in problem for problem in problems)


def test_secrets_never_appear_in_repr():
    text = repr(Settings.from_environment({**SECRETS, "FRONTDESK_DATABASE_URL": "postgresql://u:pw@h/db"}))
    assert not any(secret in text for secret in [*SECRETS.values(), "pw@h"])
