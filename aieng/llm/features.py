"""Which optional API features a provider supports, and falling back once when it lacks one.

The table is ``[features.<provider>]`` in ``models.toml``; an environment
variable ``AIENG_FEATURE_<NAME>=0|1`` overrides it (``AIENG_FEATURE_JSON_SCHEMA=0``
makes every caller use JSON mode plus validation). When a provider turns out
to reject a feature the table promised, ``fall_back`` records that for the rest
of the process and warns once, so the course says so once and carries on.

Example:
    >>> supports("json_schema", "course")
    True
    >>> supports("tool_choice", "compatible")
    False
"""

from __future__ import annotations

import logging
import os

from aieng.errors import UserError
from aieng.llm.catalog import PROVIDERS, _catalog

logger = logging.getLogger(__name__)

FEATURES = ("json_schema", "tools", "tool_choice", "stream_usage")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")

_fallen_back: set[tuple[str, str]] = set()


def _check(feature: str, provider: str | None) -> str:
    if feature not in FEATURES:
        raise UserError(f"unknown feature {feature!r}: choose one of {', '.join(FEATURES)}")
    if provider is None:
        from aieng.llm.providers import provider as configured

        provider = configured()
    if provider not in PROVIDERS:
        raise UserError(f"unknown provider {provider!r}: choose one of {', '.join(PROVIDERS)}")
    return provider


def _override(feature: str) -> bool | None:
    name = "AIENG_FEATURE_" + feature.upper()
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise UserError(f"{name}={raw!r} is not a switch: set it to 1 or 0")


def supports(feature: str, provider: str | None = None) -> bool:
    """Whether ``provider`` (the configured one when None) supports ``feature``.

    Order: a fallback recorded in this process says no; then the environment
    override; then the ``models.toml`` table (a missing entry says no).

    Args:
        feature: one of ``json_schema``, ``tools``, ``tool_choice``, ``stream_usage``.
        provider: ``course``, ``openai`` or ``compatible``; None for ``aieng.llm.provider()``.

    Raises:
        UserError: an unknown feature or provider, or an override that is not 0/1.
    """
    provider = _check(feature, provider)
    if (feature, provider) in _fallen_back:
        return False
    override = _override(feature)
    if override is not None:
        return override
    return bool(_catalog().get("features", {}).get(provider, {}).get(feature, False))


def fall_back(feature: str, provider: str | None = None, instead: str = "") -> None:
    """Record that ``provider`` rejected ``feature``; warn the first time only.

    Args:
        feature: the feature the provider rejected (e.g. ``"json_schema"``).
        provider: the provider's name; the configured one when None.
        instead: what callers do instead, for the warning ("JSON mode with validation").
    """
    provider = _check(feature, provider)
    if (feature, provider) in _fallen_back:
        return
    _fallen_back.add((feature, provider))
    logger.warning(
        "provider %s does not support %s; falling back to %s",
        provider,
        feature,
        instead or "a simpler request",
    )


def reset_fallbacks() -> None:
    """Forget the fallbacks recorded in this process (for tests and notebooks)."""
    _fallen_back.clear()
