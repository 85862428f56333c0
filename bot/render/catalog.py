"""Message catalogs: the words the plain-question replies use, per language. Slack locales starting with
`zh` get Chinese, every other locale English; numbers, dates and model ids are never translated.

A dict per language rather than Babel/gettext: a few dozen strings, no plural rules beyond "N days", and no
.mo files to compile and ship for the two languages we have."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "zh"]
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

CATALOG: dict[Lang, dict[str, str]] = {
    "en": {
        "read_as": "Read as",
        "today": "Today",
        "yesterday": "Yesterday",
        "week": "Last 7 days",
        "month": "This month",
        "last-month": "Last month",
        "quarter": "This quarter",
        "year": "This year",
        "days": "Last {n} days",
        "month_name": "{month} {year}",
        "quarter_name": "Q{q} {year}",
        "year_name": "{year}",
        "day_name": "{day}",
        "range": "Custom range",
        "payg": "pay-as-you-go",
        "summary": "usage summary",
        "free_tier": "free tier",
        "breakdown": "{model} by {granularity}",
        "day": "day",
        "month_g": "month",
        "quarter_g": "quarter",
        "analysis": "Analysis",
        "billing": "spend by {group}",
        "api_key_g": "API key",
        "model_g": "model",
        "bills": "settled bills",
    },
    "zh": {
        "read_as": "理解为",
        "today": "今天",
        "yesterday": "昨天",
        "week": "过去 7 天",
        "month": "本月",
        "last-month": "上月",
        "quarter": "本季度",
        "year": "今年",
        "days": "过去 {n} 天",
        "month_name": "{year}年{m}月",
        "quarter_name": "{year}年第{q}季度",
        "year_name": "{year}年",
        "day_name": "{day}",
        "range": "自定义范围",
        "payg": "按量付费",
        "summary": "用量概览",
        "free_tier": "免费额度",
        "breakdown": "{model} 按{granularity}",
        "day": "天",
        "month_g": "月",
        "quarter_g": "季度",
        "analysis": "分析",
        "billing": "按{group}的花费",
        "api_key_g": "API Key",
        "model_g": "模型",
        "bills": "已结算账单",
    },
}


def lang_of(locale: str | None) -> Lang:
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def say(lang: Lang, key: str, **values: object) -> str:
    return CATALOG[lang][key].format(**values)
