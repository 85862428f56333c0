"""Chinese for the `/qwen logs`, `/qwen limit` and `/qwen plan` answers (bot/render/calls_view.py,
limit_view.py): (English pattern over one line, Chinese template), appended to localize.CATALOG. Numbers,
money, dates, model ids and request ids are captured and put back as they are."""

from __future__ import annotations

_PREVIOUS = r"in the previous (?P<w>.+) window"
_RATE = r"^Error rate (?P<p>\S+) \((?P<f>\d+) of (?P<c>\d+) calls\)"
_ZH_RATE = r"错误率 \g<p>（\g<c> 次调用中 \g<f> 次失败）"

PATTERNS: list[tuple[str, str]] = [
    # call logs
    (r"^Call logs · (?P<r>.+)$", r"调用日志 · \g<r>"),
    (r"^\*(?P<n>\d+) calls\*(?P<f>.*)$", r"*\g<n> 次调用*\g<f>"),
    (r"^\*Success \(2xx\)\*$", "*成功 (2xx)*"),
    (r"^\*Client errors \(4xx\)\*$", "*客户端错误 (4xx)*"),
    (r"^\*Server errors \(5xx\)\*$", "*服务端错误 (5xx)*"),
    (r"^\*Cancelled \(0\)\*$", "*已取消 (0)*"),
    (r"^\*By model\*$", "*按模型*"),
    (
        r"^_Counted over the latest (?P<r>\d+) of (?P<n>\d+) calls\._$",
        r"_按最近 \g<r> 次调用统计（共 \g<n> 次）。_",
    ),
    (r"^\*Latest failures\*$", "*最近的失败*"),
    (r"^No failures in this window\.$", "此时段没有失败。"),
    (r"^No calls in this window\.$", "此时段没有调用。"),
    (
        _RATE + r", (?P<t>up|down) from (?P<q>\S+) \((?P<f2>\d+) of (?P<c2>\d+)\) " + _PREVIOUS + r"\.$",
        _ZH_RATE + r"，较上一个 \g<w> 时段的 \g<q>（\g<c2> 次中 \g<f2> 次）{t}。",
    ),
    (_RATE + r", the same as " + _PREVIOUS + r"\.$", _ZH_RATE + r"，与上一个 \g<w> 时段持平。"),
    (_RATE + r"; no calls " + _PREVIOUS + r"\.$", _ZH_RATE + r"；上一个 \g<w> 时段没有调用。"),
    (
        r"^(?P<m>`[^`]+`|—) has the most failures: (?P<n>\d+) of (?P<a>\d+)\.$",
        r"\g<m> 失败最多：\g<a> 次中 \g<n> 次。",
    ),
    (
        r"^(?P<m>`[^`]+`|—) has the most failures: (?P<n>\d+) of (?P<a>\d+) "
        r"\(the latest (?P<r>\d+) of (?P<o>\d+) failures\)\.$",
        r"\g<m> 失败最多：\g<a> 次中 \g<n> 次（按最近 \g<r> 次失败统计，共 \g<o> 次）。",
    ),
    (r"^No failures\.$", "没有失败。"),
    (r"^(?P<z>[^ ·]+) · data as of (?P<d>.+) UTC$", r"\g<z> · 数据时间 \g<d> UTC"),
    (r"^Call (?P<i>\S+)$", r"调用 \g<i>"),
    (
        r"^No call with request id (?P<i>`[^`]+`) in the last (?P<d>\d+) days\.$",
        r"最近 \g<d> 天内没有请求 ID 为 \g<i> 的调用。",
    ),
    (r"^\*Time\*$", "*时间*"),
    (r"^\*Status\*$", "*状态*"),
    (r"^\*Model\*$", "*模型*"),
    (r"^\*Latency\*$", "*延迟*"),
    (r"^\*Usage\*$", "*用量*"),
    (r"^This call failed\.$", "此调用失败。"),
    (r"^This call did not fail\.$", "此调用未失败。"),
    # spend limit
    (r"^Spend limit$", "消费限额"),
    (r"^No spend limit is set on this account\.$", "此账号未设置消费限额。"),
    (r"^\*Month to date\* (?P<x>.+)$", r"*本月至今* \g<x>"),
    (r"^\*Month to date\*$", "*本月至今*"),
    (r"^\*Limit\*$", "*限额*"),
    (r"^(?P<x>\S+) · (?P<u>\S+%) used$", r"\g<x> · 已用 \g<u>"),
    (r"^\*Alert threshold\*$", "*提醒阈值*"),
    (r"^\*Limit reached\*$", "*预计达到限额*"),
    (r"^not this month$", "本月不会"),
    (r"^Active$", "正常"),
    (r"^Exceeded$", "已超出"),
    (r"^Warning$", "警告"),
    (r"^Unknown$", "未知"),
    (
        r"^About (?P<d>\S+) days of headroom at (?P<b>\S+)/day \(this month's average\)\.$",
        r"按本月日均 \g<b> 计算，约还有 \g<d> 天的余量。",
    ),
    (r"^Over the limit by (?P<x>\S+)\.$", r"已超出限额 \g<x>。"),
    (r"^Alert threshold (?P<a>\S+) reached \((?P<u>\S+) used\)\.$", r"已达到提醒阈值 \g<a>（已用 \g<u>）。"),
    (r"^No spend this month yet\.$", "本月尚无支出。"),
    (r"^No limit set: spending (?P<b>\S+)/day on average this month\.$", r"未设置限额：本月日均支出 \g<b>。"),
    # plans
    (r"^QwenCloud plans$", "QwenCloud 套餐"),
    (r"^\*Coding plan\*$", "*编码套餐*"),
    (r"^\*Token plan\*$", "*Token 套餐*"),
    (r"^\*Token plan team edition\*$", "*Token 套餐团队版*"),
    (r"^Not subscribed\.$", "未订阅。"),
    (r"^Unavailable right now\.$", "暂时无法获取。"),
    (
        r"^(?P<s>.+) · (?P<n>\d+) seats · (?P<r>\S+) / (?P<a>\S+) credits left$",
        r"\g<s> · \g<n> 席位 · 剩余 \g<r> / \g<a> 积分",
    ),
    (r"^(?P<a>\S+) → (?P<b>\S+) \((?P<d>-?\d+) days left\)$", r"\g<a> → \g<b>（剩余 \g<d> 天）"),
    (r"^Auto-renew on$", "自动续费：开"),
    (r"^Auto-renew off$", "自动续费：关"),
    (r"^Renewable yes$", "可续费：是"),
    (r"^Renewable no$", "可续费：否"),
    (r"^(?P<s>.+): (?P<n>\S+) seats · (?P<r>\S+) credits left$", r"\g<s>：\g<n> 席位 · 剩余 \g<r> 积分"),
    (
        r"^The coding plan runs until (?P<d>\S+) \((?P<n>-?\d+) days\)\.$",
        r"编码套餐有效期至 \g<d>（\g<n> 天）。",
    ),
    (r"^Token plan credits: (?P<p>\S+) left\.$", r"Token 套餐积分剩余 \g<p>。"),
    (r"^No active plan: calls are billed pay-as-you-go\.$", "没有有效套餐：调用按量计费。"),
    (r"^Nothing to note\.$", "无需关注的事项。"),
    (r"^Note: (?P<n>\d+) source\(s\) unavailable: (?P<a>.+)$", r"注：\g<n> 个数据源不可用：\g<a>"),
]
