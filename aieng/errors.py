"""The one exception tree of ``aieng``, named by whose fault it is.

    AiengError
    ├── UserError                  the caller passed something unusable
    │   └── ConfigurationError     a chosen provider or setting is missing
    ├── ModelOutputError           the model answered, but not usably
    ├── ContractViolation          output broke a prompt contract
    ├── GuardrailTripped           a guardrail blocked input or output
    └── ProviderError              the model provider failed
        └── RateLimited            ... by rate limiting (retry later)

Each message says what to do about it. Code either raises or logs, not both.
"""

from __future__ import annotations

from typing import Any


class AiengError(Exception):
    """Base of every error raised by ``aieng``."""


class UserError(AiengError, ValueError):
    """The caller passed something unusable: fix the input."""


class ConfigurationError(UserError):
    """A provider or setting was chosen but not configured."""


class ModelOutputError(AiengError):
    """The model answered, but its output cannot be used as asked."""


class ContractViolation(ModelOutputError):
    """Model output broke a prompt contract (schema, rules)."""


class GuardrailTripped(AiengError):
    """A guardrail blocked input or output; ``result`` says which and why."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class ProviderError(AiengError):
    """The model provider failed (5xx, network)."""


class RateLimited(ProviderError):
    """The provider rate-limited the request; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
