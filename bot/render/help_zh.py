"""The Chinese of `/qwen help` (grammar/usage.USAGE_TEXT, team_help.TEAM_HELP) and of the bad-input hints a
personal question gets (the first line of a UsageError, the family help texts LOGS_HELP, BILLING_HELP,
BILLS_HELP), in the shape of localize.CATALOG. The prose is translated; the command words, flags and
placeholders (PERIOD, MODEL, YYYY-MM-DD) stay English because they are what the user types.

The last entries keep pure command-syntax lines as they are, so tests/unit/test_render_chat_zh.py can tell
"kept on purpose" from "forgotten": a new English line of a help text fails that test until it is here.
The team grammar's own errors (TEAM_USAGE, digest and alert rules) are admin texts and stay English."""

from __future__ import annotations

_E = r"(?P<e>(?::\w+: )?)"  # the ":warning: " of an error section, kept
_Q = r"'(?P<w>.*)'"  # the user's own words, quoted back as written
_LT, _GT = r"(?P<lt><|&lt;)", r"(?P<gt>>|&gt;)"  # the code block escapes them, the fallback text does not

_REASONS: list[tuple[str, str]] = [
    # grammar/usage.py, grammar/calls.py (the same wording in both)
    (_E + r"(?P<n>--?[\w-]+) needs a value\.$", r"\g<e>\g<n> 需要一个值。"),
    (_E + r"Unknown option (?P<n>\S+)\.$", r"\g<e>未知选项 \g<n>。"),
    (_E + r"Unknown format " + _Q + r"\. Use text or json\.$", r"\g<e>未知格式 '\g<w>'。请用 text 或 json。"),
    (_E + r"That date is out of range\.$", r"\g<e>这个日期超出范围。"),
    (
        _E + r"Invalid granularity " + _Q + r"\. Allowed: day, month, quarter$",
        r"\g<e>无效的粒度 '\g<w>'。可用：day、month、quarter",
    ),
    (_E + r"(?P<n>\S+) is only for `usage breakdown`\.$", r"\g<e>\g<n> 只能用于 `usage breakdown`。"),
    (_E + r"Invalid period: " + _Q + r"\.$", r"\g<e>无效的时段：'\g<w>'。"),
    (_E + r"Unexpected words: (?P<w>.+)\.$", r"\g<e>多余的词：\g<w>。"),
    (_E + r"I don't understand " + _Q + r" as months\.$", r"\g<e>我没法把 '\g<w>' 理解为月份。"),
    (_E + r"I don't understand " + _Q + r"\.$", r"\g<e>我不理解 '\g<w>'。"),
    (_E + r"Invalid date " + _Q + r"\. Use YYYY-MM-DD\.$", r"\g<e>无效的日期 '\g<w>'。请用 YYYY-MM-DD。"),
    (
        _E + r"Invalid --days " + _Q + r"\. Use a whole number from 1 to 366\.$",
        r"\g<e>无效的 --days '\g<w>'。请用 1 到 366 之间的整数。",
    ),
    (
        _E + r"(?P<l>.+) ends after today: ask about a period up to today\.$",
        r"\g<e>\g<l> 在今天之后才结束：请问截至今天的时段。",
    ),
    # grammar/words.py
    (
        _E + r"I couldn't read a period, a model or a question in " + _Q + r"\.$",
        r"\g<e>我没能从 '\g<w>' 中读出时段、模型或问题。",
    ),
    (r"^Closest: (?P<c>.+)$", r"最接近的命令：\g<c>"),
    (
        _E + r"Unknown model " + _Q + r"\. Did you mean (?P<s>\S+)\?$",
        r"\g<e>未知模型 '\g<w>'。你是不是想找 \g<s>？",
    ),
    (
        _E + r"Unknown model " + _Q + r": it is not on your account\. Try: (?P<c>.+)$",
        r"\g<e>未知模型 '\g<w>'：你的账号上没有它。试试：\g<c>",
    ),
    (r"^Try: (?P<c>.+)$", r"试试：\g<c>"),
    # grammar/calls.py
    (
        _E + r"`/qwen (?P<k>\w+)` takes no " + _Q + r"\. Try: (?P<c>.+)$",
        r"\g<e>`/qwen \g<k>` 不接受 '\g<w>'。试试：\g<c>",
    ),
    (
        _E + r"Invalid status " + _Q + r"\. Valid: 0 \(cancel\), 2xx, 4xx, 5xx\.$",
        r"\g<e>无效的状态 '\g<w>'。可用：0（已取消）、2xx、4xx、5xx。",
    ),
    (_E + r"Two windows: " + _Q + r" and the flags\.$", r"\g<e>两个时段：'\g<w>' 和选项里的时段。"),
    (
        _E + r"I don't understand " + _Q + r" \(a status, a model id, a request id or a window\)\.$",
        r"\g<e>我不理解 '\g<w>'（应是状态、模型 ID、请求 ID 或时段）。",
    ),
    (
        _E + r"Invalid period " + _Q + r"\. Use 6h, 3d, today or yesterday\.$",
        r"\g<e>无效的时段 '\g<w>'。请用 6h、3d、today 或 yesterday。",
    ),
    (
        _E + r"Call logs cover at most 14 days; ask for a shorter window\.$",
        r"\g<e>调用日志最多覆盖 14 天；请缩短时段。",
    ),
    (_E + r"The window needs at least 1 hour\.$", r"\g<e>时段至少要 1 小时。"),
    (_E + r"The window needs at least 1 day\.$", r"\g<e>时段至少要 1 天。"),
    (
        _E + r"The window starts \((?P<a>\S+)\) after it ends \((?P<b>\S+)\)\.$",
        r"\g<e>时段的开始（\g<a>）晚于结束（\g<b>）。",
    ),
    (_E + r"(?P<d>\S+) is in the future\.$", r"\g<e>\g<d> 在未来。"),
    # grammar/spend.py, core/billing_answers.py
    (_E + r"Invalid month " + _Q + r"\. Use YYYY-MM\.$", r"\g<e>无效的月份 '\g<w>'。请用 YYYY-MM。"),
    (
        _E + r"(?P<a>\S+) is after (?P<b>\S+): give the earlier month first\.$",
        r"\g<e>\g<a> 晚于 \g<b>：请先写较早的月份。",
    ),
    (_E + r"(?P<a>\S+) has not been billed yet\.$", r"\g<e>\g<a> 还没有出账。"),
    (
        _E + r"That is (?P<n>\d+) months; ask for at most (?P<m>\d+)\.$",
        r"\g<e>这是 \g<n> 个月；最多只能问 \g<m> 个月。",
    ),
    (
        _E + r"--format text\|json shows `billing breakdown` for whole months or up to 31 days\.$",
        r"\g<e>--format text|json 只对整月或不超过 31 天的时段显示 `billing breakdown`。",
    ),
]

_HELP: list[tuple[str, str]] = [
    # grammar/usage.py USAGE_TEXT, grammar/calls.py LOGS_HELP
    (r"^Usage: /qwen " + _LT + r"command" + _GT + r"$", r"用法：/qwen \g<lt>command\g<gt>"),
    (r"^Usage: (?P<c>/qwen .+)$", r"用法：\g<c>"),
    (r"^  add --format text for the CLI's text layout$", "  加上 --format text 可显示 CLI 的文本格式"),
    (r"^PERIOD: (?P<c>.+)$", r"PERIOD（时段）：\g<c>"),
    (r"^Examples: (?P<c>.+)$", r"示例：\g<c>"),
    (
        r"^WINDOW: (?P<c>.+) \(last 24 hours by default, at most 14 days\)$",
        r"WINDOW（时段）：\g<c>（默认为过去 24 小时，最多 14 天）",
    ),
    # grammar/team_help.py TEAM_HELP (the compact form shown in /qwen help)
    (r"^Team \(admins\): (?P<c>.+)$", r"团队（管理员）：\g<c>"),
    (r"^  DM the bot: (?P<c>.+)$", r"  私信机器人：\g<c>"),
    (r"^  e\.g\. (?P<c>/qwen .+)$", r"  例如 \g<c>"),
]

# Pure command syntax: kept as written (last, so a translated line above always wins).
_KEPT: list[tuple[str, str]] = [
    (r"^  (?:usage|free-tier|billing|logs) .+$", r"\g<0>"),
    (r"^ {10}/qwen .+$", r"\g<0>"),
]

HELP_ZH: list[tuple[str, str]] = [*_REASONS, *_HELP, *_KEPT]
