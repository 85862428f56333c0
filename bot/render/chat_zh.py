"""The Chinese of the personal messages bot/render/messages.py writes (login, logout, status, "Working…",
the model picker, the errors table) and of core/inflight's "still working" notice, in the shape of
localize.CATALOG: (English pattern over one line, Chinese template). Account names, times, request ids
and QwenCloud's own error text are captured and put back as they are; command words stay English.

Team and admin texts (digests, alerts, admin DMs, account links) are not here on purpose: they go to
channels or admins and stay English."""

from __future__ import annotations

_E = r"(?P<e>(?::\w+: )?)"  # the leading emoji of a section, kept
_AGAIN = "Log in again to continue\\."
_PICK = r"Check the model id, or run `/qwen usage breakdown` to pick one\.$"
_ZH_PICK = "请检查模型 ID，或运行 `/qwen usage breakdown` 选择一个。"
_LINK = r"The link works for about (?P<n>\d+) min and only you can see it\.$"

CHAT_ZH: list[tuple[str, str]] = [
    # notices
    (r"^Working…$", "处理中…"),
    (
        r"^:hourglass_flowing_sand: Working… asking QwenCloud\.$",
        ":hourglass_flowing_sand: 处理中…正在询问 QwenCloud。",
    ),
    (
        r"^I'm still working on your last question; ask again when it has been answered\.$",
        "我还在处理你的上一个问题；它回答之后再问吧。",
    ),
    (r"^QwenCloud usage$", "QwenCloud 用量"),
    # buttons
    (r"^Log in to QwenCloud$", "登录 QwenCloud"),
    (r"^Open QwenCloud to approve$", "打开 QwenCloud 批准"),
    (r"^Choose a model$", "选择模型"),
    # status
    (_E + r"A QwenCloud login is waiting for your approval\.$", r"\g<e>有一个 QwenCloud 登录在等你批准。"),
    (_E + r"You're not linked to QwenCloud\.$", r"\g<e>你还没有关联 QwenCloud。"),
    (
        _E + r"You're not linked to QwenCloud\. Log in to see your usage\.$",
        r"\g<e>你还没有关联 QwenCloud。登录后即可查看用量。",
    ),
    (
        _E + r"Your QwenCloud login as (?P<w>.+) expired (?P<u>.+)\.$",
        r"\g<e>你以 \g<w> 登录 QwenCloud 的凭据已于 \g<u> 过期。",
    ),
    (
        _E + r"Linked to QwenCloud as (?P<w>.+) until (?P<u>.+)\.$",
        r"\g<e>已关联 QwenCloud，账号 \g<w>，有效期至 \g<u>。",
    ),
    (_E + r"Linked to QwenCloud as (?P<w>.+)$", r"\g<e>已关联 QwenCloud，账号 \g<w>"),
    (r"^Login valid until (?P<u>.+)$", r"登录有效期至 \g<u>"),
    # login and logout
    (
        _E + r"Approve this login in QwenCloud\. " + _LINK,
        r"\g<e>请在 QwenCloud 中批准这次登录。链接约 \g<n> 分钟内有效，只有你能看到。",
    ),
    (
        _E + r"Your login is still waiting\. " + _LINK,
        r"\g<e>你的登录仍在等待批准。链接约 \g<n> 分钟内有效，只有你能看到。",
    ),
    (
        r"^Approve only a link you asked for yourself \(with /qwen login just now\); otherwise ignore it\. "
        r"I'll tell you here when it's done\.$",
        "只批准你自己刚刚（用 /qwen login）请求的链接；否则请忽略它。完成后我会在这里告诉你。",
    ),
    (
        _E + r"You're already linked to QwenCloud as (?P<w>.+)\. Use /qwen logout to switch\.$",
        r"\g<e>你已经以 \g<w> 关联了 QwenCloud。要切换账号请用 /qwen logout。",
    ),
    (
        _E + r"Logged in to QwenCloud as (?P<w>.+)\. Try /qwen usage\.$",
        r"\g<e>已以 \g<w> 登录 QwenCloud。试试 /qwen usage。",
    ),
    (
        _E + r"The QwenCloud login was denied\. Start again when you're ready\.$",
        r"\g<e>QwenCloud 登录被拒绝。准备好后请重新开始。",
    ),
    (
        _E + r"The QwenCloud login link expired before it was approved\. Start again when you're ready\.$",
        r"\g<e>QwenCloud 登录链接在批准前已过期。准备好后请重新开始。",
    ),
    (
        _E + r"The QwenCloud login did not complete\. Start again when you're ready\.$",
        r"\g<e>QwenCloud 登录没有完成。准备好后请重新开始。",
    ),
    (
        r"^Logged out of QwenCloud; your saved login was deleted\.$",
        "已退出 QwenCloud；保存的登录凭据已删除。",
    ),
    (r"^You weren't logged in to QwenCloud\.$", "你没有登录 QwenCloud。"),
    # the model picker
    (
        r"^No model has usage this month, so there is nothing to break down\.$",
        "本月没有任何模型有用量，无可细分。",
    ),
    (r"^Which model should I break down\?$", "要细分哪个模型？"),
    # the errors table (bot/render/messages.py _ERRORS): "what happened" + "what to do next"
    (
        _E + r"Your QwenCloud login has expired\. " + _AGAIN + "$",
        r"\g<e>你的 QwenCloud 登录已过期。请重新登录后继续。",
    ),
    (
        _E + r"QwenCloud rejected your saved login\. " + _AGAIN + "$",
        r"\g<e>QwenCloud 拒绝了你保存的登录。请重新登录后继续。",
    ),
    (
        _E + r"You're not linked to QwenCloud yet\. Log in, then ask again\.$",
        r"\g<e>你还没有关联 QwenCloud。请先登录，再问一次。",
    ),
    (
        _E + r"Model '(?P<w>[^']*)' not found\. Did you mean '(?P<s>[^']*)'\? " + _PICK,
        r"\g<e>找不到模型 '\g<w>'。你是不是想找 '\g<s>'？" + _ZH_PICK,
    ),
    (
        _E + r"Model '(?P<w>[^']*)' not found\. " + _PICK,
        r"\g<e>找不到模型 '\g<w>'。" + _ZH_PICK,
    ),
    (
        _E + r"(?P<m>.+) " + _PICK,
        r"\g<e>\g<m> 请检查模型 ID，或运行 `/qwen usage breakdown` 选择一个。",
    ),
    (_E + r"I couldn't read that\.$", r"\g<e>我没看懂这句话。"),
    (_E + r"(?P<m>.+) See `/qwen help` for the accepted forms\.$", r"\g<e>\g<m> 可用的写法见 `/qwen help`。"),
    (
        _E + r"I couldn't reach QwenCloud\. Try again in a minute\.$",
        r"\g<e>连不上 QwenCloud。请一分钟后再试。",
    ),
    (
        _E + r"QwenCloud answered with an error: (?P<m>.+) Try again later\.$",
        r"\g<e>QwenCloud 返回了错误：\g<m> 请稍后再试。",
    ),
    (
        _E + r"The QwenCloud login did not work: (?P<m>.+) Try `/qwen login` again\.$",
        r"\g<e>QwenCloud 登录失败：\g<m> 请再试一次 `/qwen login`。",
    ),
    (
        _E + r"The bot is not configured correctly\. Ask whoever runs it to check its logs\.$",
        r"\g<e>机器人配置有误。请让运维人员查看它的日志。",
    ),
    (
        _E + r"Something went wrong on my side\. Try again; if it keeps happening, tell the admin\.$",
        r"\g<e>我这边出了问题。请重试；如果一直这样，请告诉管理员。",
    ),
    (r"^Request id (?P<i>`[^`]+`)$", r"请求 ID \g<i>"),
    (
        r"^Use /qwen in any channel\. Usage: /qwen (?P<lt><|&lt;)command(?P<gt>>|&gt;)$",
        r"在任意频道使用 /qwen。用法：/qwen \g<lt>command\g<gt>",
    ),
]
