"""Phase 1's artifact: checked messages, saved conversations, a streaming chat service.

    >>> from aieng.chat import ConversationStore, create_chat_app, triage
    >>> store = ConversationStore("chat.sqlite3")
    >>> app = create_chat_app(store)        # serve with uvicorn, or `aieng chat`

``validation`` holds the message rules and the token budget, ``store`` the
SQLite conversations, ``triage`` the structured-output triage of support
messages, ``service`` the FastAPI app and its web page (``static/``).
"""

from aieng.chat.store import (
    Conversation,
    ConversationNotFound,
    ConversationStore,
    SearchHit,
    StoredMessage,
)
from aieng.chat.stream import StreamResult
from aieng.chat.triage import Category, Triage, Urgency, triage
from aieng.chat.validation import ChatMessage, TokenBudget, check_budget, check_message


def create_chat_app(*args, **kwargs):
    """The chat service's ASGI app (FastAPI is imported only when it is needed)."""
    from aieng.chat.service import create_chat_app as _create_chat_app

    return _create_chat_app(*args, **kwargs)


__all__ = [
    "Category",
    "ChatMessage",
    "Conversation",
    "ConversationNotFound",
    "ConversationStore",
    "SearchHit",
    "StoredMessage",
    "StreamResult",
    "TokenBudget",
    "Triage",
    "Urgency",
    "check_budget",
    "check_message",
    "create_chat_app",
    "triage",
]
