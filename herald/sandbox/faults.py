"""Faults a stand-in injects at random, as vendors do: failures, throttling, answers that never come, and
latency. Seeded, so a rehearsal can be run again alike."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field


@dataclass
class Faults:
    fail_rate: float = 0.0  # share of requests answered 5xx
    throttle_rate: float = 0.0  # share answered 429 with Retry-After
    timeout_rate: float = 0.0  # share taken in and never answered in time
    latency: float = 0.0  # seconds before every answer
    seed: int = 7
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        for name in ("fail_rate", "throttle_rate", "timeout_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}: expected a share between 0 and 1, got {getattr(self, name)!r}")
        if self.fail_rate + self.throttle_rate + self.timeout_rate > 1:
            raise ValueError("the rates add up to more than 1")
        if self.latency < 0:
            raise ValueError(f"latency: expected seconds of 0 or more, got {self.latency!r}")
        self.rng = random.Random(self.seed)

    def draw(self) -> str | None:
        """The fault for the next request: hang, busy, broken, or None."""
        x = self.rng.random()
        for kind, rate in (("hang", self.timeout_rate), ("busy", self.throttle_rate), ("broken", self.fail_rate)):
            if x < rate:
                return kind
            x -= rate
        return None

    async def wait(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)
