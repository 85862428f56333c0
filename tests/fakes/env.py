"""The environment of a `qwen-bot` child process pointed at a simulator and the fake Slack Web API."""

from __future__ import annotations

import os


def bot_process_env(
    *, sim_url: str, slack_api_url: str, bot_token: str, signing_secret: str, data_dir: str, **extra: str
) -> dict[str, str]:
    """The caller's environment without any Slack/QwenCloud/bot settings, then only what is given here.

    `extra` adds further variables (DATABASE_URL, QWEN_BOT_ENCRYPTION_KEYS, QWEN_BOT_NOW, PORT, ...).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QWEN", "DATABASE_URL"))}
    env.update(
        QWENCLOUD_API_ENDPOINT=sim_url,
        QWENCLOUD_AUTH_ENDPOINT=sim_url,
        QWENCLOUD_MODEL_MAP_URL=sim_url + "/cdn/model-mapping",
        SLACK_API_URL=slack_api_url,
        SLACK_BOT_TOKEN=bot_token,
        SLACK_SIGNING_SECRET=signing_secret,
        QWEN_BOT_DATA_DIR=data_dir,
        **extra,
    )
    return env
