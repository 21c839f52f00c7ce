"""files.info and the two-step external upload (files.getUploadURLExternal, the upload URL,
files.completeUploadExternal), the way slack_sdk's `files_upload_v2` drives them.

Rules:
- files.getUploadURLExternal needs `filename` and a positive integer `length` (`invalid_arguments`) and answers a
  file id and an upload URL on the emulator (`/upload/v1/<secret>`), which takes the bytes in a POST body.
- files.completeUploadExternal needs `files`, a JSON array of `{"id", "title"?}` whose bytes have arrived
  (`file_not_found` otherwise; nothing is completed then). With `channel_id` (or `channels`) the bot shares the files
  in one message, in `thread_ts` when given, with `initial_comment` as its text; without, the files stay private.
  It answers `files: [{"id", "title"}]`, as Slack does. Its `blocks` are checked as a message's
  (`invalid_blocks`), and a public channel without the bot is `not_in_channel`.
- files.info answers the file (`file_not_found` when unknown) with its private URLs on the emulator, or the URL the
  file was seeded with (`Workspace.add_file(url_private=...)`).
"""

from typing import Any

from slack_emulator.errors import ApiError, missing_argument
from slack_emulator.methods.common import Context, Method, channel_for_bot, check_blocks
from slack_emulator.request import ApiRequest
from slack_emulator.shapes import file_json


def info(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    file_id = req.text("file")
    file = ctx.workspace.get_file(file_id) if file_id else None
    if file is None:
        raise ApiError("file_not_found")
    ws = ctx.workspace
    return {
        "file": file_json(file, ws.team, ctx.root_url),
        "comments": [],
        "response_metadata": {"next_cursor": ""},
    }


def get_upload_url(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    filename = req.required("filename")
    length = req.integer("length", 0)
    if length < 1:
        raise missing_argument("length")
    upload = ctx.workspace.start_upload(filename, length, ctx.workspace.app.bot_user_id)
    return {"upload_url": f"{ctx.root_url}upload/v1/{upload.secret}", "file_id": upload.file_id}


def complete_upload(ctx: Context, req: ApiRequest) -> dict[str, Any]:
    ws = ctx.workspace
    entries = req.json_arg("files", "invalid_arguments")
    if not entries:
        raise missing_argument("files")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("id") for e in entries):
        raise ApiError("invalid_arguments", messages=("[ERROR] files must be an array of objects with an id",))
    channel_refs = [ref for ref in [req.text("channel_id"), *req.names("channels")] if ref]
    channels = [channel_for_bot(ctx, ref, posting=True) for ref in channel_refs]
    blocks = req.json_arg("blocks", "invalid_blocks_format")
    if blocks is not None:
        check_blocks(blocks)
    for entry in entries:
        pending = ws.pending_upload(str(entry["id"]))
        if pending is None or pending.data is None:
            raise ApiError("file_not_found")
    files = [ws.complete_upload(str(e["id"]), e.get("title")) for e in entries]
    for channel in channels:
        ws.post_message(
            channel,
            ws.app.bot_user_id,
            text=req.text("initial_comment") or "",
            blocks=blocks,
            files=tuple(f.id for f in files),
            thread_ts=req.text("thread_ts"),
        )
    return {"files": [{"id": f.id, "title": f.title} for f in files]}


METHODS = {
    "files.info": Method(info),
    "files.getUploadURLExternal": Method(get_upload_url),
    "files.completeUploadExternal": Method(complete_upload),
}
