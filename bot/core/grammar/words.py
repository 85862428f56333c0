"""Questions in the user's own words, English and Chinese -> the same `Command` objects as the command forms.

`understand` tries the command forms first (bot/core/grammar/usage.py, unchanged), then reads the sentence:
a model named anywhere (models.py, against the account's list), a period (dates_zh.py, dates_en.py), a
granularity and an intent (spend -> pay-as-you-go, free tier, coding plan, or a model's breakdown). Input it
cannot read raises a UsageError naming the two or three closest commands, not the whole help.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.base.errors import UsageError
from bot.core.grammar import dates_en, dates_zh, models, spend, usage
from bot.core.grammar.spans import Found
from bot.core.grammar.usage import Command, Granularity, Options, Period

_PAYG = re.compile(
    r"\b(?:spen[dt]|spending|cost|costs|costing|bill|billed|billing|charge[sd]?|paid|pay|payg|pay[\s-]as[\s-]you[\s-]go|"
    r"expenses?|money|price)\b|花了?多少|花费|花销|费用|账单|消费|按量付费|按量计费|多少钱|付了|扣了|扣费|开销|成本",
)
_FREE = re.compile(
    r"\b(?:free[\s-]?tier|free\s+quota|quota|quotas|allowance|free\s+tokens?|remaining|left)\b|免费额度|免费|剩余额度|剩余|还剩|额度"
)
_CODING = re.compile(r"\bcoding[\s-]?plan\b|编码套餐|编程套餐|coding\s*套餐")
_USAGE = re.compile(
    r"\b(?:usage|used|use|summary|overview|tokens?|calls?|requests?)\b|用量|使用量|使用情况|用了多少|概况|汇总"
)
_GRANULARITY: list[tuple[re.Pattern[str], Granularity]] = [
    (
        re.compile(
            r"\b(?:by|per|each|every)\s+day\b|\bdaily\b|\bday[\s-]by[\s-]day\b|按天|按日|每天|每日|逐日"
        ),
        "day",
    ),
    (
        re.compile(
            r"\b(?:by|per|each|every)\s+month\b|\bmonthly\b|\bmonth[\s-]by[\s-]month\b|按月|每月|逐月|每个月"
        ),
        "month",
    ),
    (
        re.compile(r"\b(?:by|per|each|every)\s+quarter\b|\bquarterly\b|按季度?|每季度?|逐季|每个季度"),
        "quarter",
    ),
]
_FLAG = re.compile(r"--(model|format|granularity)[=\s]+(\S+)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EDGE = re.compile(r"(?<=[\u4e00-\u9fff])(?=[0-9a-z])|(?<=[0-9a-z])(?=[\u4e00-\u9fff])")
_CLOSEST = (
    "usage last month",
    "usage breakdown --model MODEL --period 2026-03",
    "payg last 7 days",
    "free-tier",
    "login",
    "status",
    "version",
    "help",
    "usage march",
    "usage q1",
    "billing by api-key last month",
    "bills 2026-01 2026-06",
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the bot read: the command, and whether it came from plain words (not the command forms)."""

    command: Command
    plain: bool
    model_written: str | None = None


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2014", "-").replace("\u2013", "-").replace("’", "'")
    return re.sub(r"[?!,;。？！，；、]+", " ", text).strip()


def understand(text: str, *, today: date, models_on_account: Sequence[str] | None = None) -> Reading:
    """The command forms as today; else the plain question; else a short UsageError with close commands."""
    reason: str | None = None
    try:
        command = usage.parse(text, today=today)
        if "--" in text or not _in_future(command, today):
            return Reading(command, plain=False)
    except UsageError as form_error:
        reason = str(form_error).split("\n", 1)[0]
        if text.strip().startswith("--") or _looks_like_command(text):
            raise _short(text, reason) from None
    reading = read(text, today=today, models_on_account=models_on_account)
    if reading is None or (reason and _bare_command(text, reading)):
        raise _short(text, reason if reading else None)
    return reading


def _bare_command(text: str, reading: Reading) -> bool:
    """ "usage sometime soonish": a command word the command forms rejected, and nothing else read in the
    words (no period, no model): the words after it were meant as a period, so say we could not read it."""
    head = normalise(text).split(maxsplit=1)[:1]
    period = getattr(reading.command, "period", None)
    unread = period is None or period.is_default
    heads = ("usage", "summary", "payg", "billing", "bills")
    return bool(head) and head[0] in heads and unread and reading.model_written is None


def _in_future(command: Command, today: date) -> bool:
    """A month or range the command forms read in the future ("December 2026" in November 2026): read the
    words again, as the most recent past one."""
    period: Period | None = getattr(command, "period", None)
    if period is None or period.is_default:
        return False
    if period.preset and re.fullmatch(r"\d{4}-\d{2}", period.preset):
        return period.preset > today.strftime("%Y-%m")
    return period.from_ is not None and period.from_ > today


def _looks_like_command(text: str) -> bool:
    head = text.strip().split(maxsplit=1)[:1]
    if head and head[0].lower() in ("billing", "bills"):
        return True  # their own grammar's error (months, order) says more than a plain reading would
    return bool(head) and head[0].lower() in ("breakdown", "payg", "summary") and "--" in text


def read(text: str, *, today: date, models_on_account: Sequence[str] | None = None) -> Reading | None:
    """A plain question -> Reading, or None when nothing in it is a period, an intent or a model."""
    flags = {k: v for k, v in _FLAG.findall(text)}
    plain = normalise(_FLAG.sub(" ", text))
    options = Options(format=_format(flags.get("format")))
    match = _model(plain, flags.get("model"), models_on_account)
    if match is not None:
        plain = plain[: match.start] + " " * (match.end - match.start) + plain[match.end :]
    granularity = _granularity(plain, flags.get("granularity"))
    found, seen = _period(plain, today)
    rest = seen if found is None else seen[: found.start] + " " + seen[found.end :]
    period = found.period if found is not None else Period()
    if match is not None:
        if match.model is None and match.suggestion is not None:
            raise _unknown_model(match)  # close to a model on the account: ask rather than guess
        # Not on the list and near none of it (a model with no usage lately): ask QwenCloud for it as written.
        model = match.model or models.as_id(match.written)
        return Reading(
            usage.UsageBreakdown(model, period, granularity or "day", options), True, match.written
        )
    if granularity is not None and not _FREE.search(rest):
        return Reading(usage.UsageBreakdown(None, period, granularity, options), True)
    return _intent(rest, period, options, found is not None, today)


def _intent(rest: str, period: Period, options: Options, dated: bool, today: date) -> Reading | None:
    if (billing := spend.read(rest, period, dated, options, today=today)) is not None:
        return Reading(billing, True)  # API keys or settled bills named: before the pay-as-you-go words
    if _CODING.search(rest):
        return Reading(usage.UsageSummary(_summary_period(period, today), options), True)
    if _FREE.search(rest) and not _PAYG.search(rest):
        return Reading(usage.FreeTier(options), True)
    if _PAYG.search(rest):
        return Reading(usage.Payg(period, options), True)
    if dated or _USAGE.search(rest):
        return Reading(usage.UsageSummary(_summary_period(period, today), options), True)
    return None


def _summary_period(period: Period, today: date) -> Period:
    """Summary has no --days (as in the command forms): the same window as explicit dates."""
    if period.days is None:
        return period
    from datetime import timedelta

    return Period(from_=today - timedelta(days=period.days - 1), to=today)


def _period(plain: str, today: date) -> tuple[Found | None, str]:
    """The period and the text its positions point into (Chinese numerals turned into digits)."""
    if not _CJK.search(plain):
        return dates_en.find(plain, today), plain
    zh = dates_zh.digits(plain)
    if (found := dates_zh.find(zh, today)) is not None:
        return found, zh
    # The English readers on Chinese text ("3/1到3/15"): a space where CJK meets Latin letters or digits,
    # since a CJK character is a word character and would hide the \b the patterns rely on.
    spaced = _EDGE.sub(" ", zh)
    return dates_en.find(spaced, today), spaced


def _model(plain: str, flag: str | None, on_account: Sequence[str] | None) -> models.ModelMatch | None:
    if flag is None:
        return models.find(plain, on_account)
    if not on_account or flag in on_account:
        return models.ModelMatch(flag, None, flag, 0, 0)
    exact = {models.compact(m): m for m in on_account}.get(models.compact(flag))
    return models.ModelMatch(exact, None if exact else models.closest(flag, on_account), flag, 0, 0)


def _granularity(plain: str, flag: str | None) -> Granularity | None:
    if flag in ("day", "month", "quarter"):
        return flag  # type: ignore[return-value]
    for rx, gran in _GRANULARITY:
        if rx.search(plain):
            return gran
    return None


def _format(raw: str | None) -> usage.Format | None:
    return "json" if raw == "json" else "text" if raw == "text" else None


def _unknown_model(match: models.ModelMatch) -> UsageError:
    if match.suggestion:
        return UsageError(
            f"Unknown model '{match.written}'. Did you mean {match.suggestion}?\n"
            f"Try: /qwen usage breakdown --model {match.suggestion}"
        )
    return UsageError(
        f"Unknown model '{match.written}': it is not on your account. Try: /qwen usage breakdown"
    )


def closest_commands(text: str, n: int = 3) -> list[str]:
    words = normalise(text)
    ranked = difflib.get_close_matches(words, _CLOSEST, n=n, cutoff=0.0)
    return ranked or list(_CLOSEST[:n])


def _short(text: str, reason: str | None) -> UsageError:
    tries = " · ".join(f"`/qwen {c}`" for c in closest_commands(text))
    head = reason or f"I couldn't read a period, a model or a question in '{text.strip()[:80]}'."
    return UsageError(f"{head}\nClosest: {tries}")
