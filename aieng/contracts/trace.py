"""What running a contract did: every attempt, the result, and the errors that carry the trace.

A ``Trace`` lists the attempts (request mode, raw reply, problem, tokens,
latency) and, when the run stopped before any request, the reason. Printing it
gives one line per attempt, so ``print(error.trace)`` shows what went wrong:

    attempt 1  json_schema   412 ms  in=311 out=18  error: age: Input should be a valid integer
    attempt 2  json_schema   398 ms  in=352 out=17  ok
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aieng.errors import ContractViolation, UserError


@dataclass(frozen=True)
class Attempt:
    """One request made while running a contract.

    Attributes:
        number: 1 for the first request, 2 for the repair (a provider rejection adds one).
        mode: the ``response_format`` used: ``json_schema`` or ``json_object``.
        raw: the reply's text (None for a refusal or a rejected request).
        error: what was wrong with the reply or the request, else None.
        cleaned: whether the JSON had to be cut out of a code fence or a remark.
        refusal: the model's refusal text, if it refused.
        prompt_tokens, completion_tokens: usage reported by the provider (0 if none).
        latency_ms: wall time of the request.
    """

    number: int
    mode: str
    raw: str | None = None
    error: str | None = None
    cleaned: bool = False
    refusal: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether this attempt produced a valid output (or a refusal)."""
        return self.error is None

    def __str__(self) -> str:
        status = "ok" if self.ok else f"error: {self.error}"
        if self.refusal:
            status = f"refused: {self.refusal}"
        if self.cleaned and self.ok:
            status += " (cleaned)"
        return (
            f"attempt {self.number}  {self.mode:<11} {self.latency_ms:6.0f} ms  "
            f"in={self.prompt_tokens} out={self.completion_tokens}  {status}"
        )


@dataclass(frozen=True)
class Trace:
    """The attempts of one run, in order; ``reason`` says why it stopped before any request."""

    attempts: tuple[Attempt, ...] = ()
    reason: str | None = None

    def __len__(self) -> int:
        return len(self.attempts)

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self.attempts)

    def __getitem__(self, index: int) -> Attempt:
        return self.attempts[index]

    @property
    def cleaned(self) -> bool:
        """Whether the accepted reply needed cleaning (fence or remark)."""
        return bool(self.attempts) and self.attempts[-1].cleaned

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens over all attempts."""
        return sum(a.prompt_tokens + a.completion_tokens for a in self.attempts)

    def __str__(self) -> str:
        lines = [str(a) for a in self.attempts]
        if self.reason:
            lines.append(f"not sent: {self.reason}")
        return "\n".join(lines) or "(no attempts)"


@dataclass(frozen=True)
class ContractResult:
    """The outcome of running a contract on one input.

    Attributes:
        output: the validated output (a pydantic instance or a dict); None when refused.
        refused: whether the model refused.
        refusal: the refusal text, when refused.
        attempts: the trace of every request made.
    """

    output: Any
    refused: bool = False
    refusal: str | None = None
    attempts: Trace = field(default_factory=Trace)

    @property
    def repaired(self) -> bool:
        """Whether the output needed the repair attempt."""
        return any(not a.ok for a in self.attempts)


class ContractFailed(ContractViolation):
    """The model's output still broke the contract after the repair; ``trace`` shows each try."""

    def __init__(self, message: str, trace: Trace) -> None:
        super().__init__(message)
        self.trace = trace


class ContractInputError(UserError):
    """The input cannot be sent (empty, over the token budget); ``trace`` holds the reason."""

    def __init__(self, message: str, trace: Trace | None = None) -> None:
        super().__init__(message)
        self.trace = trace if trace is not None else Trace(reason=message)
