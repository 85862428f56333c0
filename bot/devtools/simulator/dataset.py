"""Seeded, deterministic QwenCloud account data: bills, free-tier quotas, coding plan, catalogue.

A billing date's rows depend only on (seed, date, model); "now" only decides which dates exist yet
(dates <= today and within `history_months`), so figures never shift between runs or clocks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

IMAGE_MODEL = "wan2.6-t2i"


@dataclass(frozen=True)
class TextModel:
    model_id: str
    series: str
    input_per_m: float  # USD per 1M input tokens
    output_per_m: float
    weight: float  # share of normal days this model is the one used
    scale: int  # typical input tokens per active day


TEXT_MODELS: tuple[TextModel, ...] = (
    TextModel("qwen3.6-plus", "Qwen3.6", 0.5, 3.0, 0.35, 600_000),
    TextModel("qwen3.5-plus", "Qwen3.5", 0.4, 2.4, 0.15, 400_000),
    TextModel("qwen-plus", "Qwen-Plus", 0.4, 1.2, 0.25, 900_000),
    TextModel("qwen-max", "Qwen-Max", 1.6, 6.4, 0.10, 200_000),
    TextModel("qwen-flash", "Qwen-Flash", 0.05, 0.4, 0.15, 2_500_000),
)
IMAGE_PRICE = 0.03  # USD per image

# Free-tier map in CDN order: qwen-plus and qwen-plus-latest share one template on purpose.
MODEL_MAP: dict[str, str] = {
    "qwen3.6-plus": "fq_qwen3_6_plus_1m",
    "qwen3.5-plus": "fq_qwen3_5_plus_1m",
    "qwen-plus": "fq_qwen_plus_1m",
    "qwen-plus-latest": "fq_qwen_plus_1m",
    "qwen-max": "fq_qwen_max_1m",
    "qwen-flash": "fq_qwen_flash_1m",  # no instance -> null quota ("Free (Early Access)")
    IMAGE_MODEL: "fq_wan2_6_t2i_50",
}


def unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) fixed by the seed and the parts."""
    text = "|".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64


def month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Dataset:
    seed: int = 7
    history_months: int = 15
    empty_usage: bool = False
    coding_plan: bool = True
    heavy_months: set[str] | None = None  # None: chosen by the seed (about one month in eight)
    _cache: dict[str, list[dict[str, object]]] = field(default_factory=dict, repr=False)

    # -- pay-as-you-go bills -------------------------------------------------------------------
    def is_heavy(self, month: str) -> bool:
        """A heavy month bills every text model daily: well over 100 rows, so pagination matters."""
        if self.heavy_months is not None:
            return month in self.heavy_months
        return unit(self.seed, "heavy", month) < 0.125

    def first_date(self, today: date) -> date:
        return month_add(today, -self.history_months)

    def rows_for_date(self, day: date) -> list[dict[str, object]]:
        key = day.isoformat()
        if key not in self._cache:
            self._cache[key] = self._build_day(day)
        return self._cache[key]

    def _build_day(self, day: date) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        if self.is_heavy(day.strftime("%Y-%m")):
            for model in TEXT_MODELS:
                rows += self._token_rows(day, model)
        elif (picked := self._pick_model(day)) is not None:
            rows += self._token_rows(day, picked)
        extra = unit(self.seed, day, "extra")
        if extra < 0.15:
            rows.append(self._image_row(day))
        elif extra < 0.25:
            rows.append(self._skipped_row(day, "Free Tier Deduction"))
        elif extra < 0.30:
            rows.append(self._skipped_row(day, "Rounding Adjustment"))
        return rows

    def _pick_model(self, day: date) -> TextModel | None:
        if unit(self.seed, day, "idle") < 0.12:
            return None
        pick = unit(self.seed, day, "model")
        for model in TEXT_MODELS:
            if pick < model.weight:
                return model
            pick -= model.weight
        return TEXT_MODELS[-1]

    def _token_rows(self, day: date, model: TextModel) -> list[dict[str, object]]:
        spread = 0.2 + 1.6 * unit(self.seed, day, model.model_id, "in")
        tokens_in = int(model.scale * spread)
        tokens_out = int(tokens_in * (0.08 + 0.3 * unit(self.seed, day, model.model_id, "out")))
        return [
            self._token_row(day, model.model_id, "input_token", "Input Tokens", tokens_in, model.input_per_m),
            self._token_row(
                day, model.model_id, "output_token", "Output Tokens", tokens_out, model.output_per_m
            ),
        ]

    @staticmethod
    def _token_row(
        day: date, model: str, code: str, name: str, tokens: int, per_m: float
    ) -> dict[str, object]:
        quantity = round(tokens / 1000, 3)
        return _row(day, model, code, name, "Per 1K Tokens", f"{quantity:.3f}", quantity * per_m / 1000)

    def _image_row(self, day: date) -> dict[str, object]:
        images = 1 + int(unit(self.seed, day, IMAGE_MODEL) * 8)
        return _row(
            day, IMAGE_MODEL, "image", "Image Generation", "Per 1 Image", str(images), images * IMAGE_PRICE
        )

    def _skipped_row(self, day: date, category: str) -> dict[str, object]:
        row = _row(
            day,
            "qwen3.6-plus",
            "input_token",
            "Input Tokens",
            "Per 1K Tokens",
            "120.000",
            -0.000012 if category == "Rounding Adjustment" else 0.0,
        )
        row["LineItemCategory"] = category
        return row

    def rows_between(
        self, start: date, end: date, today: date, models: list[str] | None
    ) -> list[dict[str, object]]:
        """Rows for start..end (inclusive), newest date first, as the real API sorts them."""
        if self.empty_usage:
            return []
        first = max(start, self.first_date(today))
        last = min(end, today)
        out: list[dict[str, object]] = []
        day = last
        while day >= first:
            out += [r for r in self.rows_for_date(day) if not models or r["ModelName"] in models]
            day -= timedelta(days=1)
        return out

    # -- free tier, coding plan, catalogue ------------------------------------------------------
    def free_tier_instances(self, now: datetime, codes: list[str]) -> list[dict[str, object]]:
        next_month = month_add(now.date(), 1).isoformat() + "T00:00:00Z"
        used = int(unit(self.seed, "fq") * 400_000)
        specs = [
            ("fq_qwen3_6_plus_1m", "valid", 1_000_000, 1_000_000 - used - 12_345, "Tokens", next_month),
            ("fq_qwen3_5_plus_1m", "exhaust", 1_000_000, 0, "Tokens", next_month),
            ("fq_qwen_plus_1m", "valid", 1_000_000, 995_200, "Tokens", next_month),
            ("fq_qwen_max_1m", "expire", 1_000_000, 1_000_000, "Tokens", "2025-12-31T16:00:00Z"),
            ("fq_wan2_6_t2i_50", "valid", 50, 38, "Images", next_month),
        ]
        wanted = set(codes)
        return [
            {
                "InstanceId": f"fqi-{code}",
                "Status": status,
                "Template": {"Code": code, "Name": code.replace("_", " ")},
                "InitCapacity": {"BaseValue": total, "ShowUnit": show},
                "CurrCapacity": {"BaseValue": remaining, "ShowUnit": show},
                "CurrentCycleEndTime": end,
            }
            for code, status, total, remaining, show, end in specs
            if code in wanted
        ]

    def coding_plan_instances(self, now: datetime) -> list[dict[str, object]]:
        if not self.coding_plan:
            return []
        ms = int(now.timestamp() * 1000)
        five_h = 5 * 3600 * 1000
        monday = now.date() - timedelta(days=now.weekday()) + timedelta(days=7)
        used = [int(unit(self.seed, "cp", w) * t) for w, t in (("5h", 6000), ("wk", 45000), ("mo", 90000))]
        return [
            {
                "instanceId": "cp-sim-0001",
                "instanceName": "Coding Plan Pro",
                "status": "VALID",
                "instanceType": "pro",
                "commodityCode": "sfm_codingplan_public_intl",
                "codingPlanQuotaInfo": {
                    "per5HourTotalQuota": 6000,
                    "per5HourUsedQuota": used[0],
                    "per5HourQuotaNextRefreshTime": (ms // five_h + 1) * five_h,
                    "perWeekTotalQuota": 45000,
                    "perWeekUsedQuota": used[1],
                    "perWeekQuotaNextRefreshTime": _epoch_ms(monday),
                    "perBillMonthTotalQuota": 90000,
                    "perBillMonthUsedQuota": used[2],
                    "perBillMonthQuotaNextRefreshTime": _epoch_ms(month_add(now.date(), 1)),
                },
            }
        ]

    @staticmethod
    def catalogue() -> list[dict[str, object]]:
        series: dict[str, list[dict[str, object]]] = {}
        for m in TEXT_MODELS:
            series.setdefault(m.series, []).append(_text_item(m))
        series["Wan"] = [
            {
                "Model": IMAGE_MODEL,
                "Description": "Text-to-image generation",
                "InferenceMetadata": {"RequestModality": ["Text"], "ResponseModality": ["Image"]},
                "Prices": [
                    {
                        "Type": "image_number",
                        "Price": str(IMAGE_PRICE),
                        "PriceUnit": "USD/image",
                        "PriceName": "Image",
                    }
                ],
                "Supports": {"Experience": True},
                "UpdateAt": "2026-01-20T00:00:00Z",
            }
        ]
        return [{"SeriesName": name, "Items": items} for name, items in series.items()]


def _text_item(m: TextModel) -> dict[str, object]:
    return {
        "Model": m.model_id,
        "Description": f"{m.model_id} text generation",
        "InferenceMetadata": {"RequestModality": ["Text"], "ResponseModality": ["Text"]},
        "Prices": [
            {"Type": "input_token", "Price": str(m.input_per_m), "PriceUnit": "USD/1M tokens"},
            {"Type": "output_token", "Price": str(m.output_per_m), "PriceUnit": "USD/1M tokens"},
        ],
        "ModelInfo": {"ContextWindow": 131072, "MaxInputTokens": 129024, "MaxOutputTokens": 16384},
        "Supports": {"Experience": True},
        "UpdateAt": "2026-02-01T00:00:00Z",
    }


def _epoch_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _row(
    day: date, model: str, code: str, name: str, step_unit: str, qty: str, cost: float
) -> dict[str, object]:
    amount = f"{cost:.6f}"
    return {
        "BillingDate": day.isoformat(),
        "BillingMonth": day.strftime("%Y-%m"),
        "ModelName": model,
        "BillingItemCode": code,
        "BillingItemName": name,
        "LineItemCategory": "Usage",
        "ChargeType": "postpaid",
        "Region": "ap-southeast-1",
        "StepQuantityUnit": step_unit,
        "BillQuantity": qty,
        "RequireAmount": amount,
        "PretaxAmount": amount,
        "Currency": "USD",
    }
