"""Rate limits per client address: token buckets, one per (address, limit). Pure: the time is given.

A bucket holds `burst` requests and refills at `per_minute`; a request takes one or is refused with how
long to wait. Buckets that have refilled are forgotten, so memory stays bounded by the clients seen in
the last moments. Each server process keeps its own (a limit is per process)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    name: str
    per_minute: float
    burst: int


@dataclass
class Buckets:
    most: int = 100_000  # addresses remembered at once; past it, full buckets are swept
    _levels: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # key → (tokens, at)

    def take(self, limit: Limit, address: str, now: float) -> float:
        """0 when the request may go on, else the seconds to wait before the next one would."""
        key = (limit.name, address)
        rate = limit.per_minute / 60
        tokens, at = self._levels.get(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + max(0.0, now - at) * rate)
        if tokens < 1:
            self._levels[key] = (tokens, now)
            return (1 - tokens) / rate
        self._levels[key] = (tokens - 1, now)
        if len(self._levels) > self.most:
            self.sweep(limit, now)
        return 0.0

    def sweep(self, limit: Limit, now: float) -> None:
        """Forget the buckets that would be full again by now."""
        full_after = limit.burst / (limit.per_minute / 60)
        self._levels = {k: v for k, v in self._levels.items() if now - v[1] < full_after}
