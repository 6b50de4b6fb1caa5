"""What reading a streamed chat completion gives back.

A streamed reply arrives as chunks: text pieces in ``choices[0].delta.content``
and, when the request asks for ``stream_options={"include_usage": True}``, one
last chunk with no choices that carries the token ``usage``. ``StreamResult``
holds the two joined back together (phase 1's lab writes the loop that fills it).
"""

from __future__ import annotations

from dataclasses import dataclass

from openai.types import CompletionUsage


@dataclass(frozen=True)
class StreamResult:
    """A streamed reply, put back together.

    Attributes:
        text: every text piece, joined in order.
        usage: the token counts from the final chunk, or None if the stream sent none.
        finish_reason: why the model stopped ("stop", "length", ...), if the stream said.

    Example:
        >>> StreamResult(text="Hello there", usage=None).text
        'Hello there'
    """

    text: str
    usage: CompletionUsage | None = None
    finish_reason: str | None = None
