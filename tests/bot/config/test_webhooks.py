"""The desk config's `[[webhooks]]` (bot.config.webhooks): what is accepted, and every problem named."""

from pathlib import Path

import pytest

from bot.config.desk import DeskConfigError, load_desk_config, parse_desk_config
from bot.config.webhooks import EVENTS, Webhook

BASE = """
policy = "owkin"
[slack]
intake_channel = "C0INTAKE1"
agents_channel = "C0AGENTS1"
[agents]
users = ["U0AGENT01"]
"""


def _desk(webhooks: str) -> tuple[Webhook, ...]:
    return parse_desk_config(BASE + webhooks, source="desk.toml", folder=Path(".")).webhooks


def _problems(webhooks: str) -> list[str]:
    with pytest.raises(DeskConfigError) as raised:
        _desk(webhooks)
    return raised.value.problems


HOOK = """
[[webhooks]]
name = "{name}"
url = "{url}"
events = {events}
secret_env = "{secret}"
"""


def hook(name: str = "ops", url: str = "https://hooks.example.com/fd", events: str = '["request.opened"]',
         secret: str = "OPS_SECRET") -> str:  # fmt: skip
    return HOOK.format(name=name, url=url, events=events, secret=secret)


def test_endpoints_are_read_in_order() -> None:
    loopback = hook("local", "http://127.0.0.1:8080/in", '["deadline.breached", "deadline.met"]', "LOCAL_SECRET")
    assert _desk(hook() + loopback) == (
        Webhook("ops", "https://hooks.example.com/fd", ("request.opened",), "OPS_SECRET"),
        Webhook("local", "http://127.0.0.1:8080/in", ("deadline.breached", "deadline.met"), "LOCAL_SECRET"),
    )
    assert _desk("") == ()


def test_an_unknown_event_is_refused_listing_the_known_ones() -> None:
    (problem,) = _problems(hook(events='["request.opened", "ticket.created"]'))
    assert '"ticket.created" is not an event' in problem
    assert "webhooks" in problem
    assert all(event in problem for event in EVENTS)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://hooks.example.com/fd", "must be https (http only on the loopback interface)"),
        ("https://user:pw@hooks.example.com/fd", "must not carry a user name or password"),
        ("ftp://hooks.example.com/fd", "is not an https URL"),
        ("https://hooks.example.com:99999/fd", "has no valid port"),
    ],
)
def test_a_url_that_is_not_https_or_carries_credentials_is_refused(url: str, said: str) -> None:
    (problem,) = _problems(hook(url=url))
    assert said in problem


def test_names_events_and_the_secret_variable_are_required_and_checked() -> None:
    assert any("already the name" in p for p in _problems(hook() + hook()))
    assert any("is not a webhook name" in p for p in _problems(hook(name="Ops Team")))
    assert any("name at least one event" in p for p in _problems(hook(events="[]")))
    assert any("not the name of an environment variable" in p for p in _problems(hook(secret="my secret")))
    assert any(
        "secret" in p
        for p in _problems('[[webhooks]]\nname = "a"\nurl = "https://x.example/"\nevents = ["request.opened"]\n')
    )
    assert any("colour" in p for p in _problems(hook() + 'colour = "red"\n'))


def test_the_commented_webhook_of_frontdesk_init_loads_once_uncommented(tmp_path: Path) -> None:
    from tests.bot.cli.conftest import run_frontdesk

    path = tmp_path / "frontdesk.toml"
    run_frontdesk("init", str(path))
    text = path.read_text()
    start = text.index("# [[webhooks]]")
    end = text.find("\n\n", start)  # the example ends at the next blank line, or with the file
    end = len(text) if end == -1 else end
    uncommented = "\n".join(line.removeprefix("# ") for line in text[start:end].splitlines())
    path.write_text(text[:start] + uncommented + "\n" + text[end:])
    (hook,) = load_desk_config(path).webhooks
    assert (hook.name, hook.secret_env) == ("ops", "OPS_WEBHOOK_SECRET")
