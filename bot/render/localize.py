"""Chinese for users whose Slack locale is `zh-*`: the labels and the analysis of a rendered usage answer,
from one catalog of English patterns and their Chinese templates. Numbers, dates, money and model ids are
captured and put back as they are; a line the catalog does not know stays English (never a wrong guess).

Why a catalog over the finished message rather than a language argument through every view: the English
views (bot/render/usage.py) stay the single source of what is shown, and this file is the one place that
knows the Chinese words."""

from __future__ import annotations

import re
from typing import Any

from bot.render.blocks import Message
from bot.render.calls_catalog import PATTERNS as CALLS_PATTERNS
from bot.render.chat_zh import CHAT_ZH
from bot.render.help_zh import HELP_ZH
from bot.render.spend_zh import SPEND_ZH

_GRAN = {"day": "日", "month": "月", "quarter": "季度"}
_KIND = {"Daily": "按日", "Monthly": "按月", "Quarterly": "按季度"}
_TREND = {"up": "上升", "down": "下降", "flat": "持平"}

# (English pattern over one line, Chinese template with \g<name> groups); first match wins.
CATALOG: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), zh)
    for p, zh in [
        (r"^QwenCloud usage · (?P<r>.+)$", r"QwenCloud 用量 · \g<r>"),
        (r"^QwenCloud free tier$", "QwenCloud 免费额度"),
        (r"^QwenCloud free tier: (?P<n>\d+) models$", r"QwenCloud 免费额度：\g<n> 个模型"),
        (r"^Pay-as-you-go · (?P<r>.+)$", r"按量付费 · \g<r>"),
        (r"^(?P<k>Daily|Monthly|Quarterly) breakdown · (?P<m>.+)$", r"{k}明细 · \g<m>"),
        (r"^\*Analysis\*$", "*分析*"),
        (r"^\*Free tier\*$", "*免费额度*"),
        (r"^No free-tier models\.$", "没有免费额度模型。"),
        (r"^\*Pay-as-you-go\* · (?P<r>.+) · \*(?P<x>\S+)\* total$", r"*按量付费* · \g<r> · 合计 *\g<x>*"),
        (r"^No pay-as-you-go usage in this period\.$", "本期没有按量付费用量。"),
        (r"^No pay-as-you-go spend in this period\.$", "本期没有按量付费支出。"),
        (r"^Nothing unusual: no limits near, no change\.$", "一切正常：没有接近任何限额，也没有明显变化。"),
        (r"^No spend on this model in the period\.$", "本期该模型没有支出。"),
        (
            r"^Pay-as-you-go (?P<x>\S+), (?P<t>up|down|flat) (?P<c>\S+) from (?P<p>\S+) \((?P<r>.+)\)\.$",
            r"按量付费 \g<x>，较上期（\g<r>）的 \g<p> {t} \g<c>。",
        ),
        (
            r"^Pay-as-you-go (?P<x>\S+), nothing spent in the previous period \((?P<r>.+)\)\.$",
            r"按量付费 \g<x>，上期（\g<r>）没有支出。",
        ),
        (
            r"^(?P<m>`[^`]+`) is (?P<s>\S+) of the spend \((?P<x>\S+) of (?P<n>\d+) paid models\)\.$",
            r"\g<m> 占支出的 \g<s>（\g<n> 个付费模型，共 \g<x>）。",
        ),
        (
            r"^At this pace the month ends near \*(?P<x>\S+)\* \(spent (?P<y>\S+) so far\)\.$",
            r"按当前速度，本月预计约 *\g<x>*（目前已花 \g<y>）。",
        ),
        (
            r"^:red_circle: (?P<m>`[^`]+`) free tier is used up; calls are billed pay-as-you-go\.$",
            r":red_circle: \g<m> 免费额度已用完；调用按量计费。",
        ),
        (
            r"^(?P<m>`[^`]+`) free tier: (?P<p>\S+) left; at about (?P<r>.+?) it lasts until it resets\.$",
            r"\g<m> 免费额度：剩余 \g<p>；按约 \g<r> 的速度可用到重置。",
        ),
        (
            r"^(?P<m>`[^`]+`) free tier: (?P<p>\S+) left; at about (?P<r>.+?) it runs out around "
            r"\*(?P<d>\S+)\*\.$",
            r"\g<m> 免费额度：剩余 \g<p>；按约 \g<r> 的速度，预计 *\g<d>* 前后用完。",
        ),
        (
            r"^Busiest (?P<g>day|month|quarter): (?P<p>`[^`]+`) "
            r"with (?P<x>\S+) \((?P<s>\S+) of (?P<t>\S+)\)\.$",
            r"支出最多的{g}：\g<p>，\g<x>（占 \g<t> 的 \g<s>）。",
        ),
        (r"^\*Total\* (?P<rest>.+)$", r"*合计* \g<rest>"),
        (r"^(?P<m>`[^`]+`)  Free \(Early Access\)$", r"\g<m>  免费（抢先体验）"),
        (r"^(?P<m>`[^`]+`)  expired \((?P<q>.+)\)$", r"\g<m>  已过期（\g<q>）"),
        (r"^(?P<m>`[^`]+`)  (?P<q>.+) · (?P<p>\S+) left$", r"\g<m>  \g<q> · 剩余 \g<p>"),
        (r"^…and (?P<n>\d+) more (?P<w>\w+)$", r"…另有 \g<n> 项"),
        (r"^(?P<r>.+) · (?P<tz>\S+) · (?P<c>[A-Z]{3}) · data as of (?P<t>.+) UTC$",
         r"\g<r> · \g<tz> · \g<c> · 数据时间 \g<t> UTC"),
        (r"^current quota · (?P<rest>.+)$", r"当前额度 · \g<rest>"),
        (r"^Share in channel$", "分享到频道"),
    ]
]
CATALOG += [(re.compile(p), zh) for p, zh in SPEND_ZH]  # /qwen billing and bills

CATALOG += [(re.compile(p), zh) for p, zh in CALLS_PATTERNS]  # /qwen logs, limit, plan
CATALOG += [(re.compile(p), zh) for p, zh in CHAT_ZH]  # login, status, notices, the errors table
CATALOG += [(re.compile(p), zh) for p, zh in HELP_ZH]  # help and bad-input hints; kept syntax lines last

_FENCE = "```"


def known(line: str) -> bool:
    """Whether the catalog has this line (translated, or kept on purpose as command syntax)."""
    return _match(_parts(line)[1]) is not None


def _parts(line: str) -> tuple[str, str, str]:
    """(prefix, body, suffix): a bullet, or the code fences of a help text's first and last line."""
    head = "• " if line.startswith("• ") else _FENCE if line.startswith(_FENCE) else ""
    body = line[len(head) :]
    tail = _FENCE if head != "• " and body.endswith(_FENCE) and len(body) >= len(_FENCE) else ""
    return head, body[: len(body) - len(tail)], tail


def _match(body: str) -> tuple[re.Match[str], str] | None:
    for pattern, template in CATALOG:
        match = pattern.match(body)
        if match is not None:
            return match, template
    return None


def line_zh(line: str) -> str:
    head, body, tail = _parts(line)
    found = _match(body)
    if found is not None:
        match, template = found
        groups = match.groupdict()
        filled = template.format(
            k=_KIND.get(groups.get("k") or "", ""),
            t=_TREND.get(groups.get("t") or "", ""),
            g=_GRAN.get(groups.get("g") or "", ""),
        )
        return head + match.expand(filled) + tail
    return line


def text_zh(text: str) -> str:
    return "\n".join(line_zh(line) for line in text.split("\n"))


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _walk(v) for k, v in value.items()}
        if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str):
            out["text"] = text_zh(value["text"])
        return out
    if isinstance(value, list):
        return [_walk(v) for v in value]
    return value


def localize(message: Message, lang: str) -> Message:
    """The message in the user's language (English as rendered; Chinese through the catalog)."""
    if lang != "zh":
        return message
    return Message(text_zh(message.text), _walk(message.blocks))
