"""The /metrics page as Prometheus reads it over HTTP: the database's figures at scrape time, the process's
instruments, a database that fails, and where the page is (and is not) served."""

import http.client
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_bolt import App

from bot.monitoring.scrape import MetricsPage
from bot.process.web import FrontdeskWsgi, MetricsWsgi, WebServer
from sla.clocks import State
from storage import inbox, outbox
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.tickets import open_ticket

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _get(server: WebServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path)
    answer = connection.getresponse()
    body = answer.read().decode()
    connection.close()
    return answer.status, dict(answer.getheaders()), body


def _wsgi(page: MetricsPage | None) -> FrontdeskWsgi:
    slack = App(signing_secret="secret", token="xoxb-unused", token_verification_enabled=False)
    return FrontdeskWsgi(slack, healthy=lambda: True, signing_secret="secret", metrics=page)


def test_the_page_shows_the_queues_requests_and_deadlines_at_the_clock(db: Database) -> None:
    with db.write() as session:
        inbox.receive(session, key="e1", source="slack", conversation="c", payload={}, now=NOW - HOUR)
        outbox.enqueue(session, key="m1", destination_kind="slack", destination="C1", payload={}, now=NOW - 2 * HOUR)
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, status="open", priority="P1", plan="gold")
        due = [DeadlineValue("response", NOW - HOUR, State.BREACHED, NOW - 2 * HOUR)]
        set_deadlines(session, ticket.id, due, next_change_at=None, actor="U1", now=NOW)
    with WebServer(_wsgi(MetricsPage(db, lambda: NOW))) as server:
        status, headers, body = _get(server, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=")
    found = _samples(body)
    assert found[("frontdesk_database_up", ())] == 1
    assert found[("frontdesk_inbox_rows", (("state", "pending"),))] == 1
    assert found[("frontdesk_inbox_oldest_pending_age_seconds", ())] == 3600
    assert found[("frontdesk_outbox_oldest_pending_age_seconds", ())] == 7200
    assert found[("frontdesk_dead_letters", ())] == 0
    assert found[("frontdesk_requests_open", (("plan", "gold"), ("priority", "P1"), ("status", "open")))] == 1
    assert found[("frontdesk_requests_breached", (("plan", "gold"), ("priority", "P1")))] == 1
    assert found[("frontdesk_requests_at_risk", (("plan", "gold"), ("priority", "P1")))] == 0
    assert ("process_resident_memory_bytes", ()) in found
    assert not any("SR-" in str(labels) for _, labels in found)  # never a request as a label


def test_a_database_that_fails_is_database_up_0_and_the_page_still_answers(tmp_path) -> None:
    broken = Database.from_url(f"sqlite:///{tmp_path}/missing/folder/frontdesk.db")
    with WebServer(_wsgi(MetricsPage(broken, lambda: NOW))) as server:
        status, _, body = _get(server, "/metrics")
    assert status == 200
    found = _samples(body)
    assert found[("frontdesk_database_up", ())] == 0
    assert ("frontdesk_inbox_rows", (("state", "pending"),)) not in found
    broken.dispose()


@pytest.mark.parametrize("path", ["/slack/events/metrics", "/metrics/", "/Metrics", "/slack/metrics"])
def test_only_the_exact_path_is_the_page(db: Database, path: str) -> None:
    with WebServer(_wsgi(MetricsPage(db, lambda: NOW))) as server:
        assert _get(server, path)[0] == 404
        assert _get(server, "/metrics", "POST")[0] == 405


def test_an_app_told_its_page_has_a_port_of_its_own_answers_404_and_that_port_serves_the_page_alone(
    db: Database,
) -> None:
    page = MetricsPage(db, lambda: NOW)
    with WebServer(_wsgi(None)) as web, WebServer(MetricsWsgi(page)) as metrics:
        assert _get(web, "/metrics")[0] == 404
        assert _get(metrics, "/metrics")[0] == 200
        assert _get(metrics, "/healthz")[0] == 404
        assert _get(metrics, "/slack/events", "POST")[0] == 404
        assert _get(metrics, "/metrics", "HEAD")[2] == ""
