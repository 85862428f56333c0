"""The Chinese of every line bot/render/spend_render.py writes (`/qwen billing`, `/qwen bills`), in the
shape of localize.CATALOG: (English pattern over one line, Chinese template). Figures, dates and names are
captured and put back as they are."""

from __future__ import annotations

SPEND_ZH: list[tuple[str, str]] = [
    (r"^QwenCloud spend by API key · (?P<r>.+)$", r"QwenCloud 各 API Key 花费 · \g<r>"),
    (r"^QwenCloud spend by model · (?P<r>.+)$", r"QwenCloud 各模型花费 · \g<r>"),
    (r"^\*Spend by API key\* · (?P<n>\d+) API keys$", r"*各 API Key 花费* · 共 \g<n> 个 API Key"),
    (r"^\*Spend by model\* · (?P<n>\d+) models$", r"*各模型花费* · 共 \g<n> 个模型"),
    (r"^Other \((?P<n>\d+) more\)  (?P<x>.+)$", r"其他（另 \g<n> 项）  \g<x>"),
    (r"^Tax  (?P<x>.+)$", r"税费  \g<x>"),
    (r"^\*Daily spend\*$", "*每日花费*"),
    (r"^Daily spend$", "每日花费"),
    (r"^(?P<m>`[^`]+`) is (?P<s>\S+) of the total\.$", r"\g<m> 占合计的 \g<s>。"),
    (r"^No spend in this period\.$", "本期没有花费。"),
    (
        r"^The previous period \((?P<r>.+)\) is not available to compare\.$",
        r"上期（\g<r>）的数据无法获取，无法比较。",
    ),
    (
        r"^No API key spent more than in the previous period \((?P<r>.+)\)\.$",
        r"与上期（\g<r>）相比，没有 API Key 的花费增加。",
    ),
    (
        r"^(?P<m>`[^`]+`) grew most: (?P<x>\S+), nothing in the previous period \((?P<r>.+)\)\.$",
        r"\g<m> 增长最多：\g<x>，上期（\g<r>）没有花费。",
    ),
    (
        r"^(?P<m>`[^`]+`) grew most: (?P<x>\S+), up (?P<c>\S+) \((?P<p>\S+)\) from (?P<b>\S+) "
        r"\((?P<r>.+)\)\.$",
        r"\g<m> 增长最多：\g<x>，较上期（\g<r>）的 \g<b> 增加 \g<c>（\g<p>）。",
    ),
    (r"^QwenCloud settled bills · (?P<r>.+)$", r"QwenCloud 已结算账单 · \g<r>"),
    (r"^\*Settled bills\* · before tax \+ tax = after tax$", "*已结算账单* · 税前 + 税费 = 税后"),
    (r"^No settled bills in this period\.$", "本期没有已结算账单。"),
    (r"^Only one settled month: nothing to compare\.$", "只有一个已结算月份，无法比较。"),
    (
        r"^Largest month: (?P<m>`[^`]+`) with (?P<x>\S+) \((?P<s>\S+) of the total\)\.$",
        r"金额最大的月份：\g<m>，\g<x>（占合计的 \g<s>）。",
    ),
    (
        r"^(?P<m>`[^`]+`) (?P<x>\S+), (?P<t>up|down|flat) (?P<c>\S+) \((?P<p>\S+)\) from (?P<b>`[^`]+`) "
        r"\((?P<y>\S+)\)\.$",
        r"\g<m> \g<x>，较 \g<b>（\g<y>）{t} \g<c>（\g<p>）。",
    ),
]
