"""A model named anywhere in a sentence, matched against the account's real model list.

"Qwen Max", "qwen max", "QWEN-MAX" and "qwen_max" are all qwen-max: names are compared with spacing, case,
"-" and "_" taken out. A name close to one on the list but not on it is a "did you mean". The standard
library's difflib does the fuzzy part: a model list is a few hundred ids at most, and rapidfuzz (faster on
big lists) would add a compiled dependency and ~0.1 s of import for no gain at this size."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9][a-z0-9._\-]*")
# Without the account's list (the 3-second ack), these look like model ids: the families QwenCloud serves.
_FAMILY = re.compile(
    r"^(?:qwen|qwq|qvq|wan|wanx|deepseek|kimi|glm|moonshot|llama|text-embedding|gte|paraformer|cosyvoice|"
    r"sambert|farui|tongyi|baichuan|chatglm|yi|abab|minimax|flux|stable-diffusion)(?:[\d.\-_]|$)"
)
_CLOSE = 0.8


@dataclass(frozen=True, slots=True)
class ModelMatch:
    model: str | None  # the exact id on the list, or the id as written when there is no list
    suggestion: str | None  # "did you mean": the closest id when nothing matched exactly
    written: str  # the words as the user wrote them
    start: int
    end: int


def compact(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.lower())


def find(text: str, models: Sequence[str] | None) -> ModelMatch | None:
    """The longest run of words that names a model; None when nothing in the text looks like one."""
    tokens = list(_TOKEN.finditer(text))
    if models:
        exact = {compact(m): m for m in models}
        for size in range(min(5, len(tokens)), 0, -1):
            for i in range(len(tokens) - size + 1):
                start, end = tokens[i].start(), tokens[i + size - 1].end()
                if _adjacent(text, tokens[i : i + size]) and (hit := exact.get(compact(text[start:end]))):
                    return ModelMatch(hit, None, text[start:end], start, end)
    for i, tok in enumerate(tokens):
        if not _FAMILY.match(tok.group(0)):
            continue
        if not models:
            end = _extend(text, tokens, i)
            written = text[tok.start() : end]
            return ModelMatch(as_id(written), None, written, tok.start(), end)
        return _nearest(text, tokens, i, models)
    return None


def _nearest(text: str, tokens: Sequence[re.Match[str]], i: int, models: Sequence[str]) -> ModelMatch:
    """The model-like word and up to two words after it, whichever is closest to a model on the list."""
    best: tuple[float, int, str | None] = (-1.0, _extend(text, tokens, i), None)
    for size in range(1, 4):
        group = tokens[i : i + size]
        if len(group) < size or not _adjacent(text, group):
            break
        written = text[group[0].start() : group[-1].end()]
        for model in models:
            score = difflib.SequenceMatcher(None, compact(written), compact(model)).ratio()
            if score > best[0]:
                best = (score, group[-1].end(), model)
    score, end, near = best
    start = tokens[i].start()
    if score < _CLOSE:  # near nothing: the name as far as it looks like one ("deepseek r1")
        end, near = _extend(text, tokens, i), None
    return ModelMatch(None, near, text[start:end], start, end)


def as_id(written: str) -> str:
    """A model name as an id when there is no list to match it against: "Qwen Max" -> "qwen-max"."""
    return re.sub(r"[\s_]+", "-", written.strip().lower())


def closest(written: str, models: Sequence[str]) -> str | None:
    by_compact = {compact(m): m for m in models}
    near = difflib.get_close_matches(compact(written), list(by_compact), n=1, cutoff=_CLOSE)
    return by_compact[near[0]] if near else None


def _adjacent(text: str, tokens: Sequence[re.Match[str]]) -> bool:
    """Words joined only by spaces or "-"/"_": "qwen max" is one name, "qwen, max" is not."""
    return all(re.fullmatch(r"[\s\-_]*", text[a.end() : b.start()]) for a, b in itertools.pairwise(tokens))


def _extend(text: str, tokens: Sequence[re.Match[str]], i: int) -> int:
    """A model-like word plus the words that continue its name ("qwen 3 max", "qwen max latest")."""
    end = tokens[i].end()
    for tok in tokens[i + 1 : i + 4]:
        word = tok.group(0)
        if not re.fullmatch(r"[\s]*", text[end : tok.start()]) or not _NAME_PART.match(word):
            break
        end = tok.end()
    return end


_NAME_PART = re.compile(
    r"^(?:\d[\w.]*|max|plus|turbo|flash|long|coder|vl|omni|audio|math|instruct|latest|preview|mini|"
    r"\d+b|chat|thinking|embedding|[vr]\d[\w.]*|ocr|mt|tts|asr|image|t2v|i2v)$"
)
