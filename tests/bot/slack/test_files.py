"""Private file downloads: the bot token goes to the file's host and nowhere else."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.slack.files import open_private


@contextmanager
def serving(answer) -> Iterator[tuple[str, list[str | None]]]:
    """A loopback server answering every GET with `answer(path)`; it records the Authorization headers it saw."""
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            status, headers, body = answer(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_token_goes_with_the_download_and_is_dropped_on_a_redirect_to_another_host():
    with serving(lambda path: (200, {}, b"bytes")) as (elsewhere, seen_elsewhere):
        home_answers = {"/same": (302, {"Location": "/final"}, b""), "/final": (200, {}, b"home bytes")}

        def at_home(path):
            return home_answers.get(path, (302, {"Location": f"{elsewhere}/cdn"}, b""))

        with serving(at_home) as (home, seen_at_home):
            with open_private(f"{home}/same", "xoxb-secret") as response:
                assert response.read() == b"home bytes"
            with open_private(f"{home}/away", "xoxb-secret") as response:
                assert response.read() == b"bytes"
    assert seen_at_home == ["Bearer xoxb-secret", "Bearer xoxb-secret", "Bearer xoxb-secret"]
    assert seen_elsewhere == [None]
