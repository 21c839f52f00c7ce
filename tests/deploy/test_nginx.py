"""The reverse proxy of deploy/nginx: Debian's nginx accepts it (`nginx -t`), and, started on loopback ports in
front of a real `frontdesk run --http`, it serves Slack's signed events over TLS to the bot, keeps /healthz to
the machine itself, answers 404 for anything else and sends plain HTTP to https."""

import http.client
import signal
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from slack_emulator import SlackEmulator, SlackSide, Workspace
from tests.bot.cli.test_run import banner, start_run
from tests.deploy.tools import tool
from tests.storage.postgres import free_port

ROOT = Path(__file__).parents[2]
SITE = ROOT / "deploy" / "nginx" / "frontdesk.conf"
CERTIFICATE = "/etc/letsencrypt/live/desk.example.com/fullchain.pem"
KEY = "/etc/letsencrypt/live/desk.example.com/privkey.pem"


@dataclass(frozen=True)
class Ports:
    http: int = 80
    https: int = 443
    bot: int = 3000


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/frontdesk.conf no longer holds {old!r}: update this test with it"
    return text.replace(old, new)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for desk.example.com and 127.0.0.1, made with openssl, and its key."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [tool("openssl", "openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=desk.example.com", "-keyout", str(key), "-out", str(certificate),
         "-addext", "subjectAltName=DNS:desk.example.com,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return certificate, key


def configure(folder: Path, ports: Ports) -> Path:
    """nginx.conf for a server under `folder` that includes the example site, on `ports`."""
    certificate, key = self_signed(folder)
    site = _replace(_replace(SITE.read_text(), CERTIFICATE, str(certificate)), KEY, str(key))
    if ports != Ports():
        site = _replace(site, "listen 80;", f"listen 127.0.0.1:{ports.http};")
        site = _replace(site, "listen [::]:80;\n", "")
        site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{ports.https} ssl http2;")
        site = _replace(site, "listen [::]:443 ssl http2;\n", "")
        site = _replace(site, "http://127.0.0.1:3000", f"http://127.0.0.1:{ports.bot}")
    (folder / "frontdesk.conf").write_text(site)
    temporary = folder / "temp"
    temporary.mkdir(mode=0o777)
    temporary.chmod(0o777)  # the worker processes run as an unprivileged user
    paths = " ".join(f"{name}_temp_path {temporary / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                           "scgi"))  # fmt: skip
    main = folder / "nginx.conf"
    main.write_text(
        f"pid {folder / 'nginx.pid'};\nerror_log stderr notice;\nworker_processes 1;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  {paths}\n  include {folder / 'frontdesk.conf'};\n}}\n"
    )
    return main


def test_nginx_accepts_the_example_as_it_is(tmp_path: Path) -> None:
    main = configure(tmp_path, Ports())
    done = subprocess.run([tool("nginx", "nginx-light"), "-t", "-p", str(tmp_path), "-c", str(main)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
    assert "test is successful" in done.stderr


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[SlackEmulator, Ports]]:
    """`frontdesk run --http` for the Slack emulator, behind nginx with the example site."""
    nginx = tool("nginx", "nginx-light")
    with SlackEmulator(Workspace.example()) as emulator:
        bot = start_run(emulator, tmp_path, "--http", "--host", "127.0.0.1", "--port", "0", socket_mode=False)
        server = None
        try:
            serving = banner(bot.stderr)
            assert serving.startswith("frontdesk: serving Slack on http://127.0.0.1:"), serving
            ports = Ports(free_port(), free_port(), int(serving.rsplit(":", 1)[1].split("/", 1)[0]))
            main = configure(tmp_path, ports)
            server = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(main), "-g", "daemon off;"],
                                      stderr=subprocess.PIPE, text=True)  # fmt: skip
            for line in server.stderr:  # it binds its ports before it starts the worker
                assert "[emerg]" not in line, line
                if "start worker process" in line:
                    break
            else:
                pytest.fail(f"nginx stopped before it served (exit status {server.wait(timeout=30)})")
            yield emulator, ports
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
                server.stderr.close()
            bot.send_signal(signal.SIGTERM)
            assert bot.wait(timeout=30) == 0
            bot.stderr.close()


def _get(ports: Ports, path: str, *, tls: bool = True, certificate: Path | None = None) -> http.client.HTTPResponse:
    if tls:
        context = ssl.create_default_context(cafile=str(certificate))
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", ports.https, context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", ports.http, timeout=10)
    connection.request("GET", path, headers={"Host": "desk.example.com"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_slack_reaches_the_bot_through_the_proxy_over_tls(proxy, tmp_path: Path, monkeypatch) -> None:
    emulator, ports = proxy
    certificate = tmp_path / "cert.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the transport's default context trusts it
    said = SlackSide.over_http(emulator, f"https://127.0.0.1:{ports.https}/slack/events").dm("alice", "It is down")
    assert said.deliveries[0].status == 200
    question = emulator.wait_for_call(
        "chat.postMessage", lambda call: str(call.arg("text")).startswith("Can we reach you"), timeout=15
    )
    assert question.arg("thread_ts") == said.message.ts

    health = _get(ports, "/healthz", certificate=certificate)
    assert health.status == 200  # from the machine itself
    assert health.getheader("Strict-Transport-Security") == "max-age=63072000"
    assert _get(ports, "/metrics", certificate=certificate).status == 404
    assert _get(ports, "/", certificate=certificate).status == 404
    plain = _get(ports, "/slack/events", tls=False)
    assert plain.status == 301
    assert plain.getheader("Location") == "https://desk.example.com/slack/events"
