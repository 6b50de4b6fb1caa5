"""``run_contract``: send a contract's request, validate the reply, repair once, trace it all.

What happens, in order:

1. The input is checked: empty text, or a prompt over the token budget (the
   model's context window, or the contract's ``max_input_tokens``), raises
   ``ContractInputError`` before any request is sent.
2. The request uses structured outputs (``response_format`` ``json_schema``
   with ``strict: true``) where the provider supports them
   (``aieng.llm.features``), else JSON mode (``json_object``) with the schema in
   the prompt. A provider that rejects ``json_schema`` with a 400 is switched to
   JSON mode for this call and the rest of the process, with one warning.
3. The reply is parsed (a code fence or trailing remark is cut away and noted)
   and validated. A refusal (``message.refusal``) is a result, not an error.
4. Invalid output gets one repair: the same conversation, the bad reply, and
   the recovery prompt with the problems. If that fails too, ``ContractFailed``
   carries the trace.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import openai

from aieng.contracts.contract import PromptContract
from aieng.contracts.schema import SchemaMismatch, parse_reply
from aieng.contracts.trace import (
    Attempt,
    ContractFailed,
    ContractInputError,
    ContractResult,
    Trace,
)
from aieng.errors import ProviderError, RateLimited, UserError
from aieng.llm.catalog import course_models, resolve_model
from aieng.llm.features import fall_back, supports
from aieng.llm.providers import client as make_client
from aieng.llm.providers import provider as configured_provider
from aieng.llm.tokens import count_message_tokens, count_tokens

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT_WINDOW = 8192
JSON_MODE_NOTE = "JSON mode with validation"


def token_budget(contract: PromptContract, model: str) -> int:
    """Prompt tokens allowed: ``max_input_tokens``, else the context window minus the reply cap."""
    if contract.max_input_tokens is not None:
        return contract.max_input_tokens
    profile = course_models().get(model)
    window = profile.context_window if profile is not None else DEFAULT_CONTEXT_WINDOW
    return window - (contract.max_output_tokens or 0)


def _response_format(contract: PromptContract, mode: str) -> dict:
    if mode == "json_object":
        return {"type": "json_object"}
    schema = contract.output_schema.strict_schema()
    return {
        "type": "json_schema",
        "json_schema": {"name": contract.schema_name, "schema": schema, "strict": True},
    }


def _error_text(exc: openai.APIStatusError) -> str:
    return f"{exc.message} {json.dumps(exc.body, default=str) if exc.body else ''}".lower()


def _rejects_json_schema(exc: openai.APIStatusError) -> bool:
    """A 400 saying the provider does not take ``json_schema`` (not that our schema is bad)."""
    text = _error_text(exc)
    if exc.status_code != 400 or "invalid schema" in text or "invalid_json_schema" in text:
        return False
    return "response_format" in text or "json_schema" in text


def _provider_failure(exc: openai.OpenAIError, model: str) -> Exception:
    if isinstance(exc, openai.RateLimitError):
        retry = exc.response.headers.get("retry-after")
        try:
            seconds = float(retry) if retry else None
        except ValueError:
            seconds = None
        return RateLimited(f"{model} is rate-limited: wait and retry", retry_after=seconds)
    if isinstance(exc, openai.APIStatusError) and exc.status_code < 500:
        return UserError(f"the provider rejected the request to {model}: {exc.message}")
    return ProviderError(f"the provider failed while running the contract ({exc}): retry later")


def _check_input(contract: PromptContract, text: Any, mode: str, model: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ContractInputError(
            f"contract {contract.name!r} got an empty input: pass the text to process"
        )
    messages = contract.messages(text, json_mode=mode == "json_object")
    tokens = count_message_tokens(messages, model)
    if mode == "json_schema":  # the schema travels in response_format, and costs tokens there
        tokens += count_tokens(json.dumps(contract.output_schema.strict_schema()), model)
    budget = token_budget(contract, model)
    if tokens > budget:
        raise ContractInputError(
            f"the prompt for contract {contract.name!r} is {tokens} tokens, over the budget of "
            f"{budget} tokens for {model}: shorten the input, or split it and run the contract "
            "on each part"
        )


def _measured(completion, started: float) -> dict[str, Any]:
    """Token usage and latency of one request, for its ``Attempt``."""
    usage = completion.usage
    return {
        "prompt_tokens": usage.prompt_tokens if usage else 0,
        "completion_tokens": usage.completion_tokens if usage else 0,
        "latency_ms": (time.perf_counter() - started) * 1000,
    }


def run_contract(
    contract: PromptContract,
    text: str,
    *,
    client: openai.OpenAI | None = None,
    seed: int | None = None,
    temperature: float | None = None,
    mode: str = "auto",
) -> ContractResult:
    """Run ``contract`` on ``text``: validated output, a refusal, or ``ContractFailed``.

    Args:
        contract: the prompt contract.
        text: the user's raw text (sent as data, inside delimiters).
        client: an ``openai.OpenAI``; ``aieng.llm.client()`` when None.
        seed: passed to the API for repeatable sampling.
        temperature: overrides the contract's temperature.
        mode: ``"auto"`` (strict ``json_schema`` where the provider supports it, else JSON
            mode), or ``"json_schema"`` / ``"json_object"`` to choose.

    Raises:
        ContractInputError: empty input or a prompt over the token budget (nothing is sent).
        ContractFailed: the output broke the schema twice; ``error.trace`` shows both tries.
        RateLimited, ProviderError: the provider failed.
        UserError: the provider rejected the request for another reason.
    """
    provider = configured_provider()
    model = resolve_model(contract.model, provider)
    if mode not in ("auto", "json_schema", "json_object"):
        raise UserError(f"mode is 'auto', 'json_schema' or 'json_object', not {mode!r}")
    if mode == "auto":
        mode = "json_schema" if supports("json_schema", provider) else "json_object"
    _check_input(contract, text, mode, model)
    if client is None:
        client = make_client()
    options: dict[str, Any] = {
        "temperature": contract.temperature if temperature is None else temperature
    }
    if seed is not None:
        options["seed"] = seed
    if contract.max_output_tokens is not None:
        options["max_tokens"] = contract.max_output_tokens

    attempts: list[Attempt] = []
    repair: list[dict] = []
    while True:
        number = len(attempts) + 1
        messages = contract.messages(text, json_mode=mode == "json_object") + repair
        started = time.perf_counter()
        try:
            completion = client.chat.completions.create(
                model=model,
                messages=messages,
                response_format=_response_format(contract, mode),
                **options,
            )
        except openai.APIStatusError as exc:
            if mode == "json_schema" and _rejects_json_schema(exc):
                attempts.append(Attempt(number, mode, error=f"rejected: {exc.message}"))
                fall_back("json_schema", provider, instead=JSON_MODE_NOTE)
                mode = "json_object"
                continue
            raise _provider_failure(exc, model) from exc
        except openai.OpenAIError as exc:
            raise _provider_failure(exc, model) from exc
        if not completion.choices:
            raise ProviderError(f"{model} returned no choices: retry, or check the provider")
        measured = _measured(completion, started)
        choice = completion.choices[0]
        reply = choice.message
        if getattr(reply, "refusal", None):
            attempts.append(Attempt(number, mode, refusal=reply.refusal, **measured))
            logger.info("contract %s@%s refused", contract.name, contract.version)
            return ContractResult(None, True, reply.refusal, Trace(tuple(attempts)))
        cleaned = False
        try:
            value, cleaned = parse_reply(reply.content)
            output = contract.output_schema.validate(value)
        except SchemaMismatch as exc:
            problem = str(exc)
            if choice.finish_reason == "length":
                problem += " (the reply was cut off at max_output_tokens)"
            attempts.append(Attempt(number, mode, reply.content, problem, cleaned, **measured))
            if repair:
                raise ContractFailed(
                    f"contract {contract.name}@{contract.version}: the output broke the schema "
                    f"after one repair: {problem}",
                    Trace(tuple(attempts)),
                ) from None
            logger.info("contract %s: repairing invalid output: %s", contract.name, problem)
            repair = [
                {"role": "assistant", "content": reply.content or "(empty reply)"},
                {"role": "user", "content": f"{contract.recovery_prompt}\n{problem}"},
            ]
            continue
        attempts.append(Attempt(number, mode, reply.content, None, cleaned, **measured))
        return ContractResult(output, attempts=Trace(tuple(attempts)))
