"""Language models for the course: the client, model names, tokens and prices.

>>> from aieng.llm import client, model
>>> reply = client().chat.completions.create(
...     model=model("chat-small"), messages=[{"role": "user", "content": "Hi"}])
"""

from aieng.llm.catalog import cost_usd, price, resolve_model
from aieng.llm.features import supports
from aieng.llm.providers import client, model, provider
from aieng.llm.tokens import count_message_tokens, count_tokens, encoding

__all__ = [
    "client",
    "cost_usd",
    "count_message_tokens",
    "count_tokens",
    "encoding",
    "model",
    "price",
    "provider",
    "resolve_model",
    "supports",
]
