"""What Jira says, read as tracker changes (bot.integrations.trackers.jira_changes through JiraTracker): the webhook
bodies and searches come from the Jira stand-in (tests/standins/jira.py), which writes them as Jira does."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config.trackers import JiraDesk, JiraSecrets
from bot.integrations.calls import HttpAnswer, send_now
from bot.integrations.trackers.jira import POLL_PAGE, JiraTracker
from bot.integrations.trackers.jira_caller import JiraCaller
from bot.integrations.trackers.tracker import ChangeKind, Deadline, Defect, TrackerChange
from tests.standins.jira import JiraStandIn
from tests.standins.server import Received

T0 = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
SECRETS = JiraSecrets(token="jira-token", email="bot@example.com", webhook_secret="hook-secret")
DEFECT = Defect("SR-000042", "Export fails", "The CSV export stops at 1000 rows.", "1. Export\n2. Count rows",
                "P2", "major", (Deadline("Permanent fix", T0 + timedelta(days=10)),), "SR-000042")  # fmt: skip


def desk_for(jira: JiraStandIn, **more: object) -> JiraDesk:
    return JiraDesk(url=jira.url, project="OPS", flavour=jira.flavour, api_path=jira.api, **more)  # type: ignore[arg-type]


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest) -> Iterator[JiraStandIn]:
    with JiraStandIn(request.param, clock=lambda: T0) as stand_in:
        yield stand_in
    assert stand_in.problems == []
    assert stand_in.server.internal_errors == []


def filed(jira: JiraStandIn, tracker: JiraTracker) -> str:
    caller = JiraCaller(tracker, record=lambda *args, **kwargs: None)
    answer = send_now(caller.prepare(tracker.create_call(DEFECT), now=T0, earlier={}))
    ref = tracker.created(answer)
    assert ref is not None
    return ref.key


def polled(jira: JiraStandIn, tracker: JiraTracker, since: datetime) -> tuple[TrackerChange, ...]:
    caller = JiraCaller(tracker, record=lambda *args, **kwargs: None)
    (call,) = tracker.poll_calls(since)
    answer = send_now(caller.prepare(call, now=T0, earlier={}))
    assert answer.status == 200
    return tracker.poll_changes(call, answer)


def test_done_reopened_fix_version_and_comments_from_webhooks(jira: JiraStandIn) -> None:
    tracker = JiraTracker(desk_for(jira), SECRETS)
    key = filed(jira, tracker)
    done_at, reopened_at, versioned_at = T0 + timedelta(hours=5), T0 + timedelta(hours=6), T0 + timedelta(hours=7)

    done = jira.transition(key, "Done", "done", at=done_at)
    reopened = jira.transition(key, "In Progress", "indeterminate", at=reopened_at)
    version = jira.add_fix_version(key, "2026.12.2", "2026-12-15", at=versioned_at)
    public = jira.comment(key, "  [PUBLIC] The fix ships on the 15th.", at=versioned_at)
    private = jira.comment(key, "root cause: off by one", at=versioned_at)
    restricted = jira.comment(key, "[public] but only for developers", at=versioned_at,
                              visibility={"type": "role", "value": "Developers"})  # fmt: skip

    [closed] = tracker.webhook_changes(done["webhookEvent"], done)
    assert (closed.kind, closed.issue, closed.at) == (ChangeKind.CLOSED, key, done_at)
    [back] = tracker.webhook_changes(reopened["webhookEvent"], reopened)
    assert (back.kind, back.at) == (ChangeKind.REOPENED, reopened_at)
    [release] = tracker.webhook_changes(version["webhookEvent"], version)
    assert (release.kind, release.release, release.release_at) == (
        ChangeKind.RELEASE, "2026.12.2", datetime(2026, 12, 15, tzinfo=UTC))  # fmt: skip
    [relayed] = tracker.webhook_changes(public["webhookEvent"], public)
    assert (relayed.kind, relayed.public, relayed.text, relayed.author) == (
        ChangeKind.COMMENT, True, "The fix ships on the 15th.", "Dana Engineer")  # fmt: skip
    [kept] = tracker.webhook_changes(private["webhookEvent"], private)
    assert (kept.public, kept.text) == (False, "root cause: off by one")
    [hidden] = tracker.webhook_changes(restricted["webhookEvent"], restricted)
    assert hidden.public is False


def test_a_comment_in_both_of_jiras_events_is_one_change(jira: JiraStandIn) -> None:
    """Jira sends a comment as `comment_created` and, to issue subscribers, as `jira:issue_updated` too."""
    tracker = JiraTracker(desk_for(jira), SECRETS)
    key = filed(jira, tracker)
    created = jira.comment(key, "[public] On it.")
    updated = {**created, "webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_commented"}

    [one] = tracker.webhook_changes("comment_created", created)
    [other] = tracker.webhook_changes("jira:issue_updated", updated)

    assert one == other


def test_the_poll_reads_the_same_changes_under_the_same_keys(jira: JiraStandIn) -> None:
    tracker = JiraTracker(desk_for(jira), SECRETS)
    key = filed(jira, tracker)
    bodies = [
        jira.transition(key, "Done", "done", at=T0 + timedelta(hours=1)),
        jira.add_fix_version(key, "2027.1", None, at=T0 + timedelta(hours=2)),
        jira.comment(key, "[public] Shipped.", at=T0 + timedelta(hours=3)),
    ]
    from_webhooks = [change for body in bodies for change in tracker.webhook_changes(body["webhookEvent"], body)]

    from_poll = polled(jira, tracker, since=T0)

    assert [c.change_key for c in from_poll] == [c.change_key for c in from_webhooks]
    assert [(c.kind, c.at) for c in from_poll] == [(c.kind, c.at) for c in from_webhooks]
    assert from_poll[1].release_at is None  # a fix version without a release date
    assert from_poll[2].text == "Shipped."


def test_the_polls_bound_is_relative_so_the_jira_users_time_zone_does_not_matter() -> None:
    """JQL reads an absolute date in the Jira user's time zone (UTC-11 here): the bound is sent as "-Nm"."""
    clock = [T0]
    with JiraStandIn("cloud", clock=lambda: clock[0], user_zone="Pacific/Pago_Pago") as jira:
        tracker = JiraTracker(desk_for(jira), SECRETS)
        key = filed(jira, tracker)
        jira.transition(key, "Done", at=T0 + timedelta(minutes=1))
        jira.comment(key, "older", at=T0 - timedelta(minutes=30))
        clock[0] = T0 + timedelta(minutes=20)
        caller = JiraCaller(tracker, record=lambda *args, **kwargs: None)
        (call,) = tracker.poll_calls(T0)

        sent = caller.prepare(call, now=clock[0], earlier={})
        answer = send_now(sent)

        assert 'updated >= "-21m"' in parse_qs(urlsplit(sent.url).query)["jql"][0]
        older, closed = (ChangeKind.COMMENT, T0 - timedelta(minutes=30)), (ChangeKind.CLOSED, T0 + timedelta(minutes=1))
        assert [(c.kind, c.at) for c in tracker.poll_changes(call, answer)] == [older, closed]
        assert jira.problems == []
        assert send_now(call).status == 400  # the stored bound is never sent as it is
        jira.server.problems.clear()


def test_done_statuses_named_by_the_desk(jira: JiraStandIn) -> None:
    tracker = JiraTracker(desk_for(jira, done_statuses=("released",)), SECRETS)
    key = filed(jira, tracker)

    done = jira.transition(key, "Done", "done")
    released = jira.transition(key, "Released", "indeterminate")

    assert [c.kind for c in tracker.webhook_changes(done["webhookEvent"], done)] == [ChangeKind.REOPENED]
    assert [c.kind for c in tracker.webhook_changes(released["webhookEvent"], released)] == [ChangeKind.CLOSED]


def test_other_projects_events_and_shapes_give_nothing(jira: JiraStandIn) -> None:
    tracker = JiraTracker(desk_for(jira), SECRETS)
    key = filed(jira, tracker)
    done = jira.transition(key, "Done")

    assert tracker.webhook_changes("jira:issue_deleted", done) == ()
    assert tracker.webhook_changes("jira:issue_updated", {**done, "issue": {**done["issue"], "key": "HR-1"}}) == ()
    assert tracker.webhook_changes("jira:issue_updated", {**done, "timestamp": "yesterday"}) == ()
    assert tracker.webhook_changes("jira:issue_updated", [1, 2]) == ()
    assert tracker.webhook_changes("jira:issue_updated", {**done, "changelog": {"id": 1, "items": "x"}}) == ()


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30,
)


@given(st.sampled_from(["jira:issue_updated", "comment_created", "x"]), ANY_JSON, ANY_JSON)
def test_whatever_arrives_never_raises(event: str, changelog: object, comment: object) -> None:
    tracker = JiraTracker(JiraDesk(url="https://acme.atlassian.net", project="OPS"), SECRETS)
    payload = {"timestamp": 1764754200000, "issue": {"key": "OPS-1", "fields": changelog},
               "changelog": changelog, "comment": comment}  # fmt: skip

    for change in tracker.webhook_changes(event, payload):
        assert change.issue == "OPS-1"
        assert change.at.tzinfo is UTC
    tracker.poll_changes(tracker.poll_calls(T0)[0], HttpAnswer(200, {}, {"issues": [payload, changelog]}))


WORDS = st.text(st.characters(codec="utf-8"), max_size=400)


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
@given(title=WORDS, description=WORDS, steps=WORDS, priority=st.text(min_size=1, max_size=20))
def test_any_defect_makes_a_create_call_jira_accepts(
    flavour: str, title: str, description: str, steps: str, priority: str
) -> None:
    """Whatever the requester wrote: a one-line summary of at most 255 characters, a valid ADF document (Cloud) or
    plain text (Data Center), labels without spaces; checked by the stand-in as Jira would."""
    jira = JiraStandIn(flavour)  # not started: only its check is used
    tracker = JiraTracker(JiraDesk(url="https://acme.atlassian.net", project="OPS", flavour=flavour,
                                   api_path=jira.api), SECRETS)  # fmt: skip
    defect = Defect("SR-000042", title, description, steps, priority, "major", DEFECT.deadlines, "SR-000042")

    call = tracker.create_call(defect)
    body = json.dumps(call.json, ensure_ascii=False).encode("utf-8")
    received = Received("POST", f"{jira.api}/issue", {}, {"content-type": "application/json"}, body,
                        f"{jira.api}/issue")  # fmt: skip

    assert jira.check(received) == []


def test_a_full_page_says_where_the_poll_goes_on_and_a_short_one_that_it_is_through(jira: JiraStandIn) -> None:
    tracker = JiraTracker(desk_for(jira), SECRETS)
    caller = JiraCaller(tracker, record=lambda *args, **kwargs: None)
    for _ in range(POLL_PAGE):
        filed(jira, tracker)

    def read_until() -> datetime | None:
        (call,) = tracker.poll_calls(T0 - timedelta(hours=1))
        return tracker.poll_read_until(call, send_now(caller.prepare(call, now=T0, earlier={})))

    assert read_until() is None  # exactly a page: all of it read
    filed(jira, tracker)
    assert read_until() == T0.replace(microsecond=0)  # one more: the poll goes on from the last issue it read
