"""GitHub's link parser, webhook signature and webhook reading, by property (hypothesis) and by example."""

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from bot.config.trackers import GitHubDesk, GitHubSecrets
from bot.doctor.configuration import read_configuration
from bot.doctor.findings import line
from bot.integrations.trackers.github import GitHubTracker
from bot.integrations.trackers.tracker import ChangeKind

DESK = GitHubDesk(repository="acme/app", token_env="GH_TOKEN", webhook_secret_env="GH_HOOK")
TRACKER = GitHubTracker(DESK, GitHubSecrets("token", "s3cret"))
numbers = st.integers(min_value=1, max_value=9_999_999_999)


def signed(body: bytes, secret: str = "s3cret") -> dict[str, str]:
    return {"x-hub-signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


@given(numbers)
def test_every_way_of_writing_an_issue_of_the_repository_names_it(number: int) -> None:
    key = f"acme/app#{number}"
    for text in (f"#{number}", f"acme/app#{number}", f"ACME/App#{number}", f"https://github.com/acme/app/issues/{number}",
                 f"  https://github.com/acme/app/issues/{number}/ "):  # fmt: skip
        found = TRACKER.parse_link(text)
        assert found is not None
        assert (found.tracker, found.key, found.url) == ("github", key, f"https://github.com/acme/app/issues/{number}")


@given(st.text(max_size=80))
def test_the_link_parser_never_raises_and_names_only_this_repository(text: str) -> None:
    found = TRACKER.parse_link(text)
    assert found is None or found.key.startswith("acme/app#")


def test_other_repositories_pull_requests_and_malformed_numbers_are_no_link() -> None:
    for text in ("other/app#3", "#0", "#-1", "#12a", "https://github.com/acme/app/pull/3",
                 "https://evil.example/acme/app/issues/3", "http://github.com/acme/app/issues/3",
                 "https://github.com/acme/app/issues/3?x=1", "acme/app#", "12", ""):  # fmt: skip
        assert TRACKER.parse_link(text) is None, text


@given(st.binary(max_size=2000))
def test_a_body_signed_with_the_secret_passes_and_any_other_signature_fails(body: bytes) -> None:
    assert TRACKER.verify(signed(body), body)
    assert not TRACKER.verify(signed(body, "other"), body)
    assert not TRACKER.verify(signed(body), body + b"x")
    assert not TRACKER.verify({}, body)
    upper = {"x-hub-signature-256": signed(body)["x-hub-signature-256"].upper().replace("SHA256=", "sha256=")}
    assert TRACKER.verify(upper, body)  # hex digits in any case


@given(st.text(max_size=100))
def test_a_signature_header_of_any_other_shape_fails(header: str) -> None:
    assert (
        not TRACKER.verify({"x-hub-signature-256": header}, b"{}")
        or header.strip().lower() == signed(b"{}")["x-hub-signature-256"]
    )


def test_a_tracker_without_a_webhook_secret_accepts_no_webhook() -> None:
    bare = GitHubTracker(DESK)
    assert not bare.verify(signed(b"{}", ""), b"{}")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_reading_any_webhook_body_never_raises(payload: object) -> None:
    for event in ("issues", "issue_comment", "ping"):
        TRACKER.webhook_changes(event, payload)


def test_a_comment_on_another_repository_or_a_pull_request_gives_nothing() -> None:
    comment = {"id": 5, "created_at": "2026-12-03T10:00:00Z", "body": "[public] hi", "user": {"login": "d"}}
    issue = {"number": 3, "updated_at": "2026-12-03T10:00:00Z"}
    ours = {"action": "created", "repository": {"full_name": "acme/app"}, "issue": issue, "comment": comment}
    [change] = TRACKER.webhook_changes("issue_comment", ours)
    assert (change.kind, change.issue, change.public, change.text) == (ChangeKind.COMMENT, "acme/app#3", True, "hi")
    assert TRACKER.webhook_changes("issue_comment", {**ours, "repository": {"full_name": "evil/app"}}) == ()
    pull = {**ours, "issue": {**issue, "pull_request": {}}}
    assert TRACKER.webhook_changes("issue_comment", pull) == ()
    bot = {**ours, "comment": {**comment, "user": {"login": "ci", "type": "Bot"}}}
    assert TRACKER.webhook_changes("issue_comment", bot)[0].public is False


def test_the_doctor_and_the_start_name_a_tracker_variable_that_is_not_set(tmp_path):
    desk = tmp_path / "frontdesk.toml"
    desk.write_text(
        'policy = "k0nsult"\n[slack]\nintake_channel = "C0INTAKE09"\nagents_channel = "C0AGENTS09"\n'
        '[agents]\nusers = ["U0AGENT009"]\n[github]\nrepository = "acme/app"\ntoken_env = "DOCTOR_GH_TOKEN"\n'
    )
    environ = {"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "s" * 32, "FRONTDESK_CONFIG": str(desk)}
    lines = [line(found) for found in read_configuration(environ, http=True).problems]
    assert "github.token_env: the environment variable DOCTOR_GH_TOKEN is not set" in lines
    lines = [line(found) for found in read_configuration({**environ, "DOCTOR_GH_TOKEN": "t"}, http=True).problems]
    assert not any("github" in text for text in lines)
