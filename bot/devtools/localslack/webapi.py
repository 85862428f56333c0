"""The Slack Web API methods the bot calls, answering as Slack does (`{"ok": true, ...}`, `{"ok": false}`)."""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from bot.devtools.localslack.blockcheck import MAX_TEXT, MAX_VIEW_BLOCKS, block_problem, parse_blocks
from bot.devtools.localslack.responses import Interactions
from bot.devtools.localslack.state import Message, StoredFile, Workspace

JSON = dict[str, Any]
Handler = Callable[[JSON], JSON]


class ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


class WebApi:
    def __init__(self, ws: Workspace, interactions: Interactions, *, base_url: Callable[[], str]) -> None:
        self.ws, self.interactions, self.base_url = ws, interactions, base_url
        self.pending_uploads: dict[str, tuple[str, int, bytes | None]] = {}  # file id -> (name, length, data)
        self.methods: dict[str, Handler] = {
            "auth.test": self.auth_test, "chat.postMessage": self.post_message,
            "chat.postEphemeral": self.post_ephemeral, "chat.update": self.update, "chat.delete": self.delete,
            "chat.getPermalink": self.permalink, "views.publish": self.views_publish,
            "views.open": self.views_open, "views.update": self.views_update, "views.push": self.views_open,
            "users.info": self.users_info, "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.history": self.conversations_history,
            "files.getUploadURLExternal": self.get_upload_url,
            "files.completeUploadExternal": self.complete_upload, "files.upload": self.files_upload,
        }

    def call(self, method: str, params: JSON) -> JSON:
        handler = self.methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            return {"ok": True, **handler(params)}
        except ApiError as exc:
            return {"ok": False, "error": exc.error, **exc.extra}

    # ---- helpers -----------------------------------------------------------------------------------
    def _channel(self, params: JSON, key: str = "channel") -> str:
        ref = str(params.get(key) or "")
        if not ref:
            raise ApiError("channel_not_found")
        channel = self.ws.resolve_channel(ref)
        if channel is None:
            raise ApiError("channel_not_found")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel.id

    def _content(self, params: JSON, *, require: bool = True) -> tuple[str, list[JSON]]:
        blocks = parse_blocks(params.get("blocks"))
        if blocks is None:
            raise ApiError("invalid_blocks_format")
        problem = block_problem(blocks) or self._missing_file(blocks)
        if problem:
            raise ApiError("invalid_blocks", errors=[problem])
        text = str(params.get("text") or "")
        if require and not text and not blocks and not params.get("attachments"):
            raise ApiError("no_text")
        if len(text) > MAX_TEXT:
            raise ApiError("msg_too_long")
        return text, blocks

    def _missing_file(self, blocks: list[JSON]) -> str | None:
        """Slack refuses image blocks naming a file it does not hold (`slack_file: {"id": ...}`)."""
        images = [b for b in blocks if b.get("type") == "image"]
        images += [e for b in blocks if b.get("type") == "context" for e in b.get("elements") or []
                   if isinstance(e, dict) and e.get("type") == "image"]
        for image in images:
            file_id = (image.get("slack_file") or {}).get("id")
            if file_id and file_id not in self.ws.files:
                return f"invalid slack_file id {file_id}"
        return None

    def _user(self, params: JSON, key: str = "user") -> str:
        user = str(params.get(key) or "")
        if user not in self.ws.users:
            raise ApiError("user_not_found")
        return user

    # ---- methods -----------------------------------------------------------------------------------
    def auth_test(self, params: JSON) -> JSON:
        ws = self.ws
        return {"url": f"https://{ws.domain}.slack.com/", "team": ws.team_name, "user": ws.bot.name,
                "team_id": ws.team_id, "user_id": ws.bot.id, "bot_id": ws.bot_id, "app_id": ws.app_id,
                "is_enterprise_install": False}

    def post_message(self, params: JSON) -> JSON:
        channel = self._channel(params)
        text, blocks = self._content(params)
        msg = Message(channel, self.ws.new_ts(), text, blocks, user=self.ws.bot.id, bot_id=self.ws.bot_id,
                      thread_ts=params.get("thread_ts") or None, metadata=_metadata(params.get("metadata")))
        self.ws.add_message(msg)
        return {"channel": channel, "ts": msg.ts, "message": msg.to_api(self.ws.team_id)}

    def post_ephemeral(self, params: JSON) -> JSON:
        channel = self._channel(params)
        user = self._user(params)
        text, blocks = self._content(params)
        msg = Message(channel, self.ws.new_ts(), text, blocks, user=self.ws.bot.id, bot_id=self.ws.bot_id,
                      ephemeral_for=user, kind="ephemeral", thread_ts=params.get("thread_ts") or None)
        self.ws.add_message(msg)
        return {"message_ts": msg.ts}

    def update(self, params: JSON) -> JSON:
        channel = self._channel(params)
        text, blocks = self._content(params, require=False)
        with self.ws.lock:
            msg = self.ws.find_message(channel, str(params.get("ts") or ""))
            if msg is None or msg.ephemeral_for:
                raise ApiError("message_not_found")
            if msg.bot_id != self.ws.bot_id:
                raise ApiError("cant_update_message")
            if text or blocks:
                msg.text, msg.blocks, msg.edited = text, blocks, True
            self.ws.touch()
            return {"channel": channel, "ts": msg.ts, "text": msg.text,
                    "message": msg.to_api(self.ws.team_id)}

    def delete(self, params: JSON) -> JSON:
        channel = self._channel(params)
        ts = str(params.get("ts") or "")
        msg = self.ws.find_message(channel, ts)
        if msg is None or msg.ephemeral_for:
            raise ApiError("message_not_found")
        if msg.bot_id != self.ws.bot_id:
            raise ApiError("cant_delete_message")
        self.ws.remove_message(channel, ts)
        return {"channel": channel, "ts": ts}

    def permalink(self, params: JSON) -> JSON:
        channel = self._channel(params)
        ts = str(params.get("message_ts") or "")
        if self.ws.find_message(channel, ts) is None:
            raise ApiError("message_not_found")
        return {"channel": channel, "permalink": f"{self.base_url()}#{channel}/p{ts.replace('.', '')}"}

    def _view(self, params: JSON) -> JSON:
        raw = params.get("view")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                raise ApiError("invalid_arguments") from exc
        if not isinstance(raw, dict) or raw.get("type") not in {"home", "modal"}:
            raise ApiError("invalid_arguments")
        blocks = parse_blocks(raw.get("blocks"))
        if blocks is None:
            raise ApiError("invalid_arguments")
        problem = block_problem(blocks, limit=MAX_VIEW_BLOCKS)
        if problem:
            raise ApiError("invalid_arguments", response_metadata={"messages": [problem]})
        return raw

    def views_publish(self, params: JSON) -> JSON:
        user = self._user(params, "user_id")
        view = self._view(params)
        if view["type"] != "home":
            raise ApiError("invalid_arguments")
        current = self.ws.home_view(user)
        stored = self.ws.put_view(type_="home", user=user, payload=view,
                                  view_id=current.id if current else None)
        return {"view": stored.to_api()}

    def views_open(self, params: JSON) -> JSON:
        user, error = self.interactions.use_trigger(str(params.get("trigger_id") or ""))
        if error or user is None:
            raise ApiError(error or "invalid_trigger_id")
        view = self._view(params)
        stored = self.ws.put_view(type_="modal", user=user, payload=view)
        return {"view": stored.to_api()}

    def views_update(self, params: JSON) -> JSON:
        view = self._view(params)
        vid, external = params.get("view_id"), params.get("external_id")
        with self.ws.lock:
            by_external = (v for v in self.ws.views.values()
                           if external and v.payload.get("external_id") == external)
            found = self.ws.views.get(str(vid)) if vid else next(by_external, None)
            if found is None:
                raise ApiError("not_found")
            if params.get("hash") and params["hash"] != found.hash:
                raise ApiError("hash_conflict")
            stored = self.ws.put_view(type_=found.type, user=found.user, payload=view, view_id=found.id)
            return {"view": stored.to_api()}

    def users_info(self, params: JSON) -> JSON:
        user = self.ws.users[self._user(params)]
        found = user.to_api(self.ws.team_id)
        if params.get("include_locale") in (True, "true", "1"):  # Slack sends the locale only when asked
            found["locale"] = user.locale
        return {"user": found}

    def conversations_open(self, params: JSON) -> JSON:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if len(users) != 1:
            raise ApiError("not_enough_users" if not users else "method_not_supported_for_channel_type")
        user = self._user({"user": users[0]})
        channel = self.ws.dm_of(user)
        if params.get("return_im") in (True, "true", "1"):
            return {"channel": channel.to_api(), "already_open": True, "no_op": True}
        return {"channel": {"id": channel.id}, "already_open": True, "no_op": True}

    def conversations_info(self, params: JSON) -> JSON:
        ref = str(params.get("channel") or "")
        channel = self.ws.channels.get(ref)
        if channel is None:
            raise ApiError("channel_not_found")
        return {"channel": channel.to_api()}

    def conversations_history(self, params: JSON) -> JSON:
        """Newest first, between `oldest` and `latest` (exclusive unless `inclusive`), at most `limit`
        (default 100, max 999); message metadata only with `include_all_metadata`."""
        channel = self._channel(params)
        try:
            oldest = float(params.get("oldest") or 0)
            latest = float(params.get("latest") or "inf")
            limit = min(max(int(params.get("limit") or 100), 1), 999)
        except (TypeError, ValueError) as exc:
            raise ApiError("invalid_arguments") from exc
        inclusive = str(params.get("inclusive")).lower() in {"true", "1"}
        with_metadata = str(params.get("include_all_metadata")).lower() in {"true", "1"}

        def within(ts: float) -> bool:
            return oldest <= ts <= latest if inclusive else oldest < ts < latest

        found = [m for m in self.ws.channel_messages(channel) if m.kind == "message" and within(float(m.ts))]
        found.sort(key=lambda m: float(m.ts), reverse=True)
        page = found[:limit]
        out = []
        for msg in page:
            api = msg.to_api(self.ws.team_id)
            if with_metadata and msg.metadata:
                api["metadata"] = msg.metadata
            out.append(api)
        return {"messages": out, "has_more": len(found) > limit, "pin_count": 0}

    # ---- files -------------------------------------------------------------------------------------
    def get_upload_url(self, params: JSON) -> JSON:
        name = str(params.get("filename") or "")
        try:
            length = int(params.get("length") or 0)
        except (TypeError, ValueError) as exc:
            raise ApiError("invalid_arguments") from exc
        if not name or length <= 0:
            raise ApiError("invalid_arguments")
        file_id = self.ws.new_id("F")
        self.pending_uploads[file_id] = (name, length, None)
        return {"upload_url": f"{self.base_url()}upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        if file_id not in self.pending_uploads:
            return False
        name, length, _ = self.pending_uploads[file_id]
        self.pending_uploads[file_id] = (name, length, data)
        return True

    def complete_upload(self, params: JSON) -> JSON:
        raw = params.get("files")
        items = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items:
            raise ApiError("invalid_arguments")
        channel = self._channel(params, "channel_id") if params.get("channel_id") else None
        stored = []
        for item in items:
            pending = self.pending_uploads.pop(str(item.get("id")), None)
            if pending is None or pending[2] is None:
                raise ApiError("file_not_found")
            name, _, data = pending[0], pending[1], pending[2]
            stored.append(self._store(str(item["id"]), name, str(item.get("title") or name), data, channel))
        if channel:
            self._post_files(channel, stored, params)
        return {"files": stored}

    def files_upload(self, params: JSON) -> JSON:
        data = params.get("file")
        if isinstance(data, str):
            data = data.encode()
        if data is None and params.get("content") is not None:
            data = str(params["content"]).encode()
        if not isinstance(data, bytes):
            raise ApiError("no_file_data")
        name = str(params.get("filename") or params.get("_file_name") or "file")
        channels = [self._channel({"channel": c}) for c in str(params.get("channels") or "").split(",") if c]
        stored = self._store(self.ws.new_id("F"), name, str(params.get("title") or name), data,
                             channels[0] if channels else None)
        for channel in channels:
            self._post_files(channel, [stored], params)
        return {"file": stored}

    def _store(self, file_id: str, name: str, title: str, data: bytes, channel: str | None) -> JSON:
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        stored = StoredFile(file_id, name, title, mimetype, data, self.ws.bot.id, int(time.time()),
                            [channel] if channel else [], url=f"{self.base_url()}files/{file_id}/{name}")
        with self.ws.lock:
            self.ws.files[file_id] = stored
        return stored.to_api()

    def _post_files(self, channel: str, files: list[JSON], params: JSON) -> None:
        msg = Message(channel, self.ws.new_ts(), str(params.get("initial_comment") or ""), [],
                      user=self.ws.bot.id, bot_id=self.ws.bot_id, files=files,
                      thread_ts=params.get("thread_ts") or None)
        self.ws.add_message(msg)


def _metadata(raw: Any) -> JSON | None:
    """`metadata` as slack_sdk sends it (a JSON string in a form, an object in a JSON body)."""
    if isinstance(raw, str) and raw:
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ApiError("invalid_metadata_format") from exc
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("event_type"):
        raise ApiError("invalid_metadata_format")
    if not isinstance(raw.get("event_payload"), dict):
        raise ApiError("invalid_metadata_format")
    return raw
