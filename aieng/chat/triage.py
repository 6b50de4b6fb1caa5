"""Triage of Fernhill Robotics support messages into a typed record.

``Triage`` is the schema the model must fill (category, urgency, a short
summary, and the order number or robot serial when the message gives one);
``triage()`` asks for it with structured outputs: the official client's
``chat.completions.parse(response_format=Triage)``, which sends the pydantic
model as a strict JSON schema and validates the answer back into it.

Example:
    >>> triage("Our Fernhill Tug FT2-001877 stopped mid-aisle and the whole line is down!")
    Triage(category=<Category.TECHNICAL: 'technical'>, urgency=<Urgency.HIGH: 'high'>, ...)
"""

from __future__ import annotations

import logging
from enum import StrEnum

import openai
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from aieng.chat.validation import check_message
from aieng.errors import ModelOutputError, ProviderError, RateLimited

logger = logging.getLogger(__name__)


class Category(StrEnum):
    """Which team a support message goes to."""

    BILLING = "billing"
    TECHNICAL = "technical"
    ACCOUNT = "account"
    SHIPPING = "shipping"
    OTHER = "other"


class Urgency(StrEnum):
    """How soon someone must act."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


CATEGORY_GUIDE = (
    "billing: invoices, charges, refunds, prices, FleetOS subscription plans and seats, "
    "payment methods, VAT and tax; "
    "technical: a robot (Fernhill Picker or Tug) or FleetOS software that misbehaves: faults, "
    "error codes, crashes, navigation, batteries, chargers, sensors, integrations, updates; "
    "account: signing in, passwords, two-factor codes, single sign-on, user access and roles, "
    "account or company details; "
    "shipping: delivery of robots, parts and accessories: tracking, delays, customs, damaged or "
    "missing items on arrival, returns logistics; "
    "other: anything else (sales and partnership enquiries, jobs, press, feedback)"
)
URGENCY_GUIDE = (
    "high: operations stopped, a safety risk (collision, injury, smoke, fire), a security breach "
    "or a deadline today; medium: something is wrong or degraded but work goes on; "
    "low: a question, a how-to, a request or feedback with no time pressure"
)

TRIAGE_INSTRUCTIONS = f"""You triage messages sent to the support desk of Fernhill Robotics, \
maker of the Fernhill Picker and Fernhill Tug warehouse robots and of FleetOS, the fleet \
software its customers subscribe to.
Read the customer's message and fill every field of the schema.
Categories: {CATEGORY_GUIDE}.
Urgency: {URGENCY_GUIDE}.
Summary: one short sentence, at most 25 words, saying what the customer needs.
order_id: the order number if the message gives one (like ORD-104233), else null.
serial_number: the robot serial number if the message gives one (like FP3-004512 for a \
Picker or FT2-001877 for a Tug), else null.
Use only what the message says; do not invent ids."""


class Triage(BaseModel):
    """One support message, triaged (the schema the model fills)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Category = Field(description="Which team handles it. " + CATEGORY_GUIDE)
    urgency: Urgency = Field(description="How soon to act. " + URGENCY_GUIDE)
    summary: str = Field(description="One short sentence saying what the customer needs.")
    order_id: str | None = Field(
        default=None, description="The order number the message gives (like ORD-104233), or null."
    )
    serial_number: str | None = Field(
        default=None,
        description="The robot serial number the message gives (like FP3-004512), or null.",
    )

    @field_validator("summary")
    @classmethod
    def _tidy_summary(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("order_id", "serial_number")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None


def triage(message: str, client: openai.OpenAI | None = None, model: str | None = None) -> Triage:
    """Triage one support message with structured outputs.

    Args:
        message: the customer's text (checked like any chat message).
        client: an ``openai.OpenAI``; ``aieng.llm.client()`` when None.
        model: a model name; the provider's ``chat-small`` when None.

    Raises:
        UserError: the message breaks a content rule (empty, too long, control characters).
        ModelOutputError: the model refused, or its answer does not fit ``Triage``.
        RateLimited, ProviderError: the provider failed; retry later.
    """
    checked = check_message("user", message)
    if client is None or model is None:
        from aieng import llm

        client = client or llm.client()
        model = model or llm.model("chat-small")
    request = [
        {"role": "system", "content": TRIAGE_INSTRUCTIONS},
        checked.as_dict(),
    ]
    try:
        completion = client.chat.completions.parse(
            model=model, messages=request, response_format=Triage, temperature=0
        )
    except PydanticValidationError as exc:
        raise ModelOutputError(
            f"{model}'s answer does not fit the Triage schema ({exc.error_count()} problem(s)): "
            "try a stronger model, or a provider with strict structured outputs"
        ) from exc
    except openai.LengthFinishReasonError as exc:
        raise ModelOutputError(
            f"{model} ran out of tokens before finishing the triage: shorten the message"
        ) from exc
    except openai.RateLimitError as exc:
        raise RateLimited(f"{model} is rate-limited: wait and retry") from exc
    except (openai.APIConnectionError, openai.InternalServerError) as exc:
        raise ProviderError(f"the provider failed while triaging ({exc}): retry later") from exc
    answer = completion.choices[0].message
    if answer.refusal:
        raise ModelOutputError(f"{model} declined to triage this message: {answer.refusal}")
    if answer.parsed is None:
        raise ModelOutputError(f"{model} returned no triage: try again or use a stronger model")
    logger.debug("triaged as %s/%s", answer.parsed.category, answer.parsed.urgency)
    return answer.parsed
