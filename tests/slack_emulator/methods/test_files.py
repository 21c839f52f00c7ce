"""files.info and the external upload that slack_sdk's files_upload_v2 drives, end to end."""

import urllib.request
from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient

from slack_emulator import UPLOAD, ServerError, SlackEmulator, Workspace
from tests.slack_emulator.helpers import refused


def download(url: str, token: str | None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status, response.read()
    except HTTPError as error:
        with error:
            return error.code, error.read()


def test_files_upload_v2_shares_the_bytes_in_the_channel(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    parent = client.chat_postMessage(channel=support.id, text="SR-000123")["ts"]
    answer = client.files_upload_v2(
        channel=support.id,
        thread_ts=parent,
        content=b"2026-11-22 ERROR boom\n",
        filename="app.txt",
        title="Application log",
        initial_comment="Here is the log",
    )
    file_id = answer["file"]["id"]
    assert answer["files"] == [{"id": file_id, "title": "Application log"}]
    stored = ws.file(file_id)
    assert (stored.content, stored.mimetype, stored.size) == (b"2026-11-22 ERROR boom\n", "text/plain", 22)
    reply = ws.messages(support, parent)[-1]
    assert (reply.text, reply.files, reply.user) == ("Here is the log", (file_id,), ws.app.bot_user_id)


def test_several_files_go_in_one_message(client: WebClient, ws: Workspace) -> None:
    support = ws.channel("support")
    answer = client.files_upload_v2(
        channel=support.id,
        file_uploads=[{"content": b"a", "filename": "a.txt"}, {"content": b"bb", "filename": "b.txt"}],
    )
    ids = tuple(f["id"] for f in answer["files"])
    assert [m.files for m in ws.messages(support)] == [ids]


def test_file_info_points_at_a_private_url_that_needs_the_bot_token(
    emulator: SlackEmulator, client: WebClient, ws: Workspace
) -> None:
    alice = ws.user("alice")
    screenshot = ws.add_file("screen shot.png", b"\x89PNG...", user=alice)
    file = client.files_info(file=screenshot.id)["file"]
    assert (file["name"], file["mimetype"], file["filetype"], file["size"], file["user"]) == (
        "screen shot.png",
        "image/png",
        "png",
        7,
        alice.id,
    )
    assert download(file["url_private_download"], emulator.bot_token) == (200, b"\x89PNG...")
    assert download(file["url_private"], None)[0] == 403
    assert refused(client.files_info, file="F99999999")["error"] == "file_not_found"


def test_completing_an_upload_whose_bytes_never_came_is_file_not_found(client: WebClient, ws: Workspace) -> None:
    pending = client.files_getUploadURLExternal(filename="x.txt", length=3)
    answer = refused(client.files_completeUploadExternal, files=[{"id": pending["file_id"]}], channel_id="#support")
    assert answer["error"] == "file_not_found"
    assert ws.messages(ws.channel("support")) == []


def test_an_upload_url_needs_a_filename_and_a_length(client: WebClient) -> None:
    answer = refused(client.api_call, "files.getUploadURLExternal", params={"filename": "x.txt"})
    assert answer["error"] == "invalid_arguments"


def test_a_failing_upload_step_fails_files_upload_v2(emulator: SlackEmulator, client: WebClient) -> None:
    emulator.fail(UPLOAD, ServerError(503))
    with pytest.raises(HTTPError) as raised:  # slack_sdk lets urllib's error through for this step
        client.files_upload_v2(channel="#support", content=b"x", filename="x.txt")
    raised.value.close()
    assert raised.value.code == 503
    assert [c.status for c in emulator.calls(UPLOAD)] == [503]
