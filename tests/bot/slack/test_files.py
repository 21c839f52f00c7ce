"""Private file downloads: the bot token goes to Slack's file hosts (or the configured API's own origin), over
https, and nowhere else."""

import pytest

from bot.slack.files import ForeignFileHostError, open_private, token_may_go
from tests.bot.slack.loopback import serving

SLACK_API = "https://slack.com/api/"


def test_the_token_goes_with_the_download_and_is_dropped_on_a_redirect_to_another_host():
    with serving(lambda path: (200, {}, b"bytes")) as (elsewhere, seen_elsewhere):
        home_answers = {"/same": (302, {"Location": "/final"}, b""), "/final": (200, {}, b"home bytes")}

        def at_home(path):
            return home_answers.get(path, (302, {"Location": f"{elsewhere}/cdn"}, b""))

        with serving(at_home) as (home, seen_at_home):
            with open_private(f"{home}/same", "xoxb-secret", api_url=f"{home}/api/") as response:
                assert response.read() == b"home bytes"
            with open_private(f"{home}/away", "xoxb-secret", api_url=f"{home}/api/") as response:
                assert response.read() == b"bytes"
    assert seen_at_home == ["Bearer xoxb-secret", "Bearer xoxb-secret", "Bearer xoxb-secret"]
    assert seen_elsewhere == [None]


@pytest.mark.parametrize(
    "url",
    [
        "https://files.slack.com/files-pri/T1-F1/download/a.png",
        "https://FILES.slack.com:443/files-pri/T1-F1/a.png",
        "https://a.slack-edge.com/x.png",
        "https://slack.com/api/files-pri/T1-F1/a.png",  # the API's own origin
    ],
)
def test_the_token_may_go_to_slacks_file_hosts_over_https(url: str) -> None:
    assert token_may_go(url, SLACK_API)


@pytest.mark.parametrize(
    "url",
    [
        "http://files.slack.com/files-pri/T1-F1/a.png",  # not https
        "https://files.slack.com:8443/a.png",
        "https://files.slack.com.evil.example/a.png",
        "https://evilslack.com/a.png",
        "https://files.slack.com@evil.example/a.png",
        "https://evil.example/?files.slack.com",
        "https://docs.google.com/document/d/1",
        "https://files.slack.com:notaport/a.png",
        "ftp://files.slack.com/a.png",
        "files.slack.com/a.png",
        "None",
    ],
)
def test_the_token_goes_nowhere_else(url: str) -> None:
    assert not token_may_go(url, SLACK_API)
    with pytest.raises(ForeignFileHostError):
        open_private(url, "xoxb-secret", api_url=SLACK_API)


def test_a_local_slack_is_trusted_on_its_own_origin_only() -> None:
    api = "http://127.0.0.1:8080/api/"
    assert token_may_go("http://127.0.0.1:8080/files-pri/T1-F1/a.png", api)
    assert not token_may_go("http://127.0.0.1:8081/files-pri/T1-F1/a.png", api)
    assert not token_may_go("https://127.0.0.1:8080/files-pri/T1-F1/a.png", api)
    assert not token_may_go("http://localhost:8080/files-pri/T1-F1/a.png", api)
