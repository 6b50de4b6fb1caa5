"""Seeded fault injection, for the production lessons on retries and timeouts.

Set per server (``aieng serve --faults "rate_limit=0.2,server_error=0.05"``,
or ``AIENG_COURSE_FAULTS``) or per request with the header
``X-Course-Faults: rate_limit=0.3,latency_ms=200,seed=7``. Keys:

    rate_limit    share of requests answered 429 with Retry-After
    server_error  share answered 500 (or 503)
    latency_ms    added delay before answering
    retry_after   seconds advertised in Retry-After (default 0.05)
    seed          seed of the fault sequence (default 0)

Each distinct fault setting draws from its own ``random.Random(seed)``, so a
fresh server replays the same sequence of faults for the same traffic.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from aieng.llm.course_model.protocol import InvalidRequest

FAULT_HEADER = "x-course-faults"
MAX_LATENCY_MS = 60_000.0  # a fault may slow a request, never hang it


@dataclass(frozen=True)
class FaultSettings:
    rate_limit: float = 0.0
    server_error: float = 0.0
    latency_ms: float = 0.0
    retry_after: float = 0.05
    seed: int = 0

    @property
    def active(self) -> bool:
        return bool(self.rate_limit or self.server_error or self.latency_ms)


@dataclass(frozen=True)
class Fault:
    status: int  # 0 for none
    retry_after: float = 0.0
    latency_s: float = 0.0


def parse_faults(spec: str | None) -> FaultSettings:
    """``"rate_limit=0.2,latency_ms=50"`` -> FaultSettings; a clear 400 when malformed."""
    if not spec:
        return FaultSettings()
    values: dict[str, float] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        key, _, raw = item.partition("=")
        key = key.strip()
        if key not in FaultSettings.__dataclass_fields__:
            raise InvalidRequest(
                f"Unknown fault {key!r} in X-Course-Faults; known: "
                + ", ".join(FaultSettings.__dataclass_fields__),
                param="X-Course-Faults",
            )
        try:
            values[key] = int(raw) if key == "seed" else float(raw)
        except ValueError:
            raise InvalidRequest(
                f"Fault {key!r} needs a number, got {raw!r}.", param="X-Course-Faults"
            ) from None
    for share in ("rate_limit", "server_error"):
        if not 0.0 <= values.get(share, 0.0) <= 1.0:
            raise InvalidRequest(f"Fault {share!r} is a share in [0, 1].", param="X-Course-Faults")
    if not 0.0 <= values.get("latency_ms", 0.0) <= MAX_LATENCY_MS:
        raise InvalidRequest(
            f"Fault 'latency_ms' must be in [0, {MAX_LATENCY_MS:g}].", param="X-Course-Faults"
        )
    if not 0.0 <= values.get("retry_after", 0.0) <= MAX_LATENCY_MS / 1000:
        raise InvalidRequest(
            f"Fault 'retry_after' must be in [0, {MAX_LATENCY_MS / 1000:g}] seconds.",
            param="X-Course-Faults",
        )
    return FaultSettings(**values)


class FaultInjector:
    """Draws faults from one seeded sequence per fault setting."""

    def __init__(self, default: FaultSettings | None = None) -> None:
        self.default = default or FaultSettings()
        self._streams: dict[FaultSettings, random.Random] = {}
        self._lock = threading.Lock()

    def draw(self, header: str | None) -> Fault:
        settings = parse_faults(header) if header else self.default
        if not settings.active:
            return Fault(0)
        with self._lock:
            stream = self._streams.setdefault(settings, random.Random(settings.seed))
            roll = stream.random()
            flavour = stream.random()
        latency = settings.latency_ms / 1000
        if roll < settings.rate_limit:
            return Fault(429, settings.retry_after, latency)
        if roll < settings.rate_limit + settings.server_error:
            return Fault(503 if flavour < 0.5 else 500, settings.retry_after, latency)
        return Fault(0, 0.0, latency)
