"""A tiny Bolt app standing in for the real bot in the page tests: it answers with every kind of Block Kit the
page must render (header, section text and fields, divider, context, buttons, url buttons, selects, images,
uploaded files), replaces messages through response_url, opens a modal, publishes an App Home, answers DMs."""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient


def png(width: int = 120, height: int = 48, rgb: tuple[int, int, int] = (97, 90, 255)) -> bytes:
    """A small solid-colour PNG (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


MODELS = ("qwen-max", "qwen-plus", "qwen-turbo")


def usage_blocks(verify_url: str, file_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "header", "text": plain("Usage · March 2026")},
        {"type": "section", "fields": [md("*Total cost*\n12.30 USD"), md("*Tokens*\n1,234,567"),
                                       md("*Requests*\n4,321"), md("*Top model*\n`qwen-max`")]},
        {"type": "divider"},
        {"type": "section", "text": md("*Analysis*\n• Spend is _up 12%_ on February\n• ~Old plan~ replaced\n"
                                       "• Details in the <" + verify_url + "|console>\n"
                                       "```model      cost\nqwen-max   10.00```")},
        {"type": "image", "slack_file": {"id": file_id}, "alt_text": "usage chart",
         "title": plain("Daily cost")},
        {"type": "context", "elements": [md("Mar 1–31, 2026 · Asia/Tokyo · USD · data as of 10:00")]},
        {"type": "actions", "block_id": "result_actions", "elements": [
            {"type": "button", "action_id": "share", "text": plain("Share in channel"), "style": "primary",
             "value": "usage:2026-03"},
            {"type": "button", "action_id": "open_console", "text": plain("Open verification page"),
             "url": verify_url},
            {"type": "static_select", "action_id": "pick_model", "placeholder": plain("Breakdown by model"),
             "options": [{"text": plain(m), "value": m} for m in MODELS]},
        ]},
    ]


def build_canned_app(*, api_url: str, bot_token: str, signing_secret: str, public_url: str) -> App:
    client = WebClient(token=bot_token, base_url=api_url)
    app = App(signing_secret=signing_secret, client=client)
    verify_url = public_url + "healthz?verify=1"
    chart: dict[str, str] = {}

    def chart_file() -> dict[str, str]:
        if not chart:  # upload once, privately (no channel), to show in image blocks as the real bot does
            done = client.files_upload_v2(filename="chart.png", content=png(), title="Daily cost")
            chart.update(id=done["file"]["id"], url=done["file"]["url_private"])
        return chart

    @app.command("/qwen")
    def qwen(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        text = command["text"].strip()
        if text == "digest":
            ack()
            client.views_open(trigger_id=command["trigger_id"], view={
                "type": "modal", "callback_id": "digest", "title": plain("Digest preview"),
                "submit": plain("Post preview"), "blocks": [
                    {"type": "input", "block_id": "channel", "label": plain("Post to"),
                     "element": {"type": "static_select", "action_id": "where",
                                 "options": [{"text": plain("#general"), "value": "C_GENERAL"}]}},
                    {"type": "input", "block_id": "note", "label": plain("Note"),
                     "element": {"type": "plain_text_input", "action_id": "text"}}]})
            return
        if text == "chart":
            ack()
            client.files_upload_v2(channel=command["channel_id"], filename="usage.png", content=png(),
                                   title="Usage chart", initial_comment="Here is the chart")
            return
        if text.startswith("usage"):
            ack(text="Working…")
            respond(text="Usage March 2026: 12.30 USD", blocks=usage_blocks(verify_url, chart_file()["id"]),
                    replace_original=True)
            return
        ack(text="Try `/qwen usage` or `/qwen digest`")

    @app.action("share")
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(text=f"<@{body['user']['id']}> shared: usage 12.30 USD", response_type="in_channel",
                replace_original=False)

    @app.action("open_console")
    def open_console(ack: Ack) -> None:
        ack()

    @app.action("pick_model")
    def pick_model(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        model = body["actions"][0]["selected_option"]["value"]
        respond(replace_original=True, text=f"Breakdown {model}", blocks=[
            {"type": "header", "text": plain(f"Breakdown · {model}")},
            {"type": "section", "text": md(f"*{model}*: 10.00 USD over 31 days")}])

    @app.view("digest")
    def digest(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        note = values["note"]["text"]["value"]
        if not note:
            ack(response_action="errors", errors={"note": "Write a note"})
            return
        ack()
        client.chat_postMessage(channel=values["channel"]["where"]["selected_option"]["value"],
                                text=f"Digest preview: {note}")

    @app.event("message")
    def dm(event: dict[str, Any], say: Any) -> None:
        say(text=f"You said _{event['text']}_")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [
            {"type": "header", "text": plain("QwenCloud usage")},
            {"type": "section", "text": md(f"Hello <@{event['user']}>, you are *not linked* yet."),
             "accessory": {"type": "image", "image_url": chart_file()["url"], "alt_text": "logo"}},
            {"type": "actions", "elements": [{"type": "button", "action_id": "home_login",
                                              "text": plain("Log in"), "style": "primary"}]}]})

    @app.action("home_login")
    def home_login(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_publish(user_id=body["user"]["id"], view={"type": "home", "blocks": [
            {"type": "section", "text": md("Login started :white_check_mark:")}]})

    return app


SLOW_S = 10.0  # well past Slack's 3 s: the fake Slack must give up first, however loaded the machine


def slow_on_demand(app: Callable[..., Any]) -> Callable[..., Any]:
    """WSGI in front of Bolt: `/qwen slow` is answered only after SLOW_S. A slow listener behind Bolt would
    not do: Bolt itself answers after waiting 3 s for ack(), racing Slack's own 3 s timeout."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if b"text=slow" in body:
            time.sleep(SLOW_S)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b""]
        environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)

    return wrapped
