"""Saved conversations in one SQLite file, safe with several writers at once.

``ConversationStore`` creates, lists, loads, appends to, renames, deletes and
searches conversations. The schema is versioned: the ``schema_version`` table
records each migration applied, and opening a store applies the missing ones
inside a write transaction, so two processes opening an old file at once do
not both migrate it. Concurrency: write-ahead logging (readers never block the
writer), a busy timeout (writers wait their turn instead of failing), one
connection per thread, and every write in a ``BEGIN IMMEDIATE`` transaction
(the next message position is read and used under the same lock).

Example:
    >>> store = ConversationStore(tmp_path / "chat.sqlite3")
    >>> chat = store.create("Late delivery")
    >>> store.append(chat.id, "user", "Where is ORD-104233?").position
    0
    >>> [m.content for m in store.load(chat.id).messages]
    ['Where is ORD-104233?']
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aieng.chat.schema import MIGRATIONS, SCHEMA_VERSION
from aieng.chat.validation import ROLES, find_bad_character
from aieng.errors import UserError

logger = logging.getLogger(__name__)

DEFAULT_TITLE = "New conversation"
MAX_TITLE_CHARS = 200
MAX_QUERY_CHARS = 500
BUSY_TIMEOUT_S = 30.0

Status = Literal["complete", "interrupted"]


class ConversationNotFound(UserError, KeyError):
    """No conversation has that id (it never existed, or it was deleted)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class StoredMessage(BaseModel):
    """One message as saved: its place in the conversation and when it was written."""

    model_config = ConfigDict(frozen=True)

    id: int
    conversation_id: str
    position: int
    role: str
    content: str
    status: Status = "complete"
    model: str | None = None
    created_at: str

    def as_dict(self) -> dict[str, str]:
        """The message in the shape the chat completions API takes."""
        return {"role": self.role, "content": self.content}


class Conversation(BaseModel):
    """A conversation; ``messages`` is filled by ``load`` and empty in ``list``."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    created_at: str
    updated_at: str
    message_count: int = 0
    messages: tuple[StoredMessage, ...] = ()


class SearchHit(BaseModel):
    """A message (or a title, when ``position`` is None) that matched a search."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    title: str
    position: int | None
    role: str | None
    snippet: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _clean_title(title: Any) -> str:
    if title is None:
        return DEFAULT_TITLE
    if not isinstance(title, str):
        raise UserError(f"a title must be text, not {type(title).__name__}")
    title = " ".join(title.split())
    if not title:
        return DEFAULT_TITLE
    if len(title) > MAX_TITLE_CHARS:
        raise UserError(
            f"the title is {len(title)} characters long and the limit is {MAX_TITLE_CHARS}: "
            "shorten it"
        )
    bad = find_bad_character(title)
    if bad is not None:
        raise UserError(
            f"the title contains a {bad[2]} (U+{ord(bad[1]):04X}) at position {bad[0]}: remove it"
        )
    return title


def _check_message(role: Any, content: Any) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not isinstance(content, str):
        raise UserError(f"message content must be text, not {type(content).__name__}")
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(
            "message content holds a lone surrogate, which is not valid Unicode text: remove it"
        ) from None


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(**dict(row))


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _snippet(text: str, needle: str, width: int = 60) -> str:
    at = text.lower().find(needle.lower())
    if at < 0:
        return text[: 2 * width]
    start, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


# --- the store --------------------------------------------------------------------------


class ConversationStore:
    """Conversations and their messages in the SQLite file at ``path``.

    Args:
        path: the database file (created, with its folder, if missing).
        busy_timeout: seconds a writer waits for another writer's lock.

    Raises:
        UserError: ``path`` is ``":memory:"`` (each thread would get its own empty
            database), or the file's schema is newer than this code knows.
    """

    def __init__(self, path: str | os.PathLike[str], busy_timeout: float = BUSY_TIMEOUT_S):
        if str(path) == ":memory:" or str(path).startswith("file::memory:"):
            raise UserError(
                "ConversationStore needs a file: pass a path such as tmp_path / 'chat.sqlite3'"
            )
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._migrate()
        self.full_text = self._has_table("messages_fts")

    # connections and transactions

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (a new one after a fork)."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        self._local.held = (os.getpid(), conn)
        with self._lock:
            self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A transaction: ``BEGIN IMMEDIATE`` to write, a consistent snapshot to read."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this store opened (in this process)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # schema

    def _has_table(self, name: str) -> bool:
        row = (
            self._conn()
            .execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
            .fetchone()
        )
        return row is not None

    def schema_version(self) -> int:
        """The newest migration applied to this file (0 for an empty file)."""
        if not self._has_table("schema_version"):
            return 0
        row = self._conn().execute("SELECT MAX(version) FROM schema_version").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        with self._transaction() as conn:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER PRIMARY KEY,
                    description TEXT NOT NULL,
                    applied_at TEXT NOT NULL)"""
            )
            current = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
            if current > SCHEMA_VERSION:
                raise UserError(
                    f"{self.path} has schema version {current}, newer than this aieng knows "
                    f"({SCHEMA_VERSION}): upgrade aieng, or use another file"
                )
            for migration in MIGRATIONS:
                if migration.version > current:
                    migration.apply(conn)
                    conn.execute(
                        "INSERT INTO schema_version VALUES (?, ?, ?)",
                        (migration.version, migration.description, _now()),
                    )
                    logger.info("%s: applied migration %d", self.path, migration.version)

    # conversations

    def create(
        self,
        title: str | None = None,
        messages: Iterable[Mapping[str, Any]] = (),
    ) -> Conversation:
        """A new conversation, with ``messages`` (``{"role", "content"}``) saved in it."""
        clean = _clean_title(title)
        pending = [(m.get("role"), m.get("content")) for m in messages]
        for role, content in pending:
            _check_message(role, content)
        conversation_id = uuid.uuid4().hex
        now = _now()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?)", (conversation_id, clean, now, now)
            )
            for position, (role, content) in enumerate(pending):
                conn.execute(
                    "INSERT INTO messages (conversation_id, position, role, content, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, position, role, content, now),
                )
        return self.load(conversation_id)

    def get(self, conversation_id: str) -> Conversation:
        """The conversation's title, dates and message count (not its messages)."""
        row = (
            self._conn()
            .execute(
                "SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"
                " AS message_count FROM conversations c WHERE c.id = ?",
                (str(conversation_id),),
            )
            .fetchone()
        )
        if row is None:
            raise ConversationNotFound(f"no conversation has id {conversation_id!r}")
        return Conversation(**dict(row))

    def load(self, conversation_id: str) -> Conversation:
        """The conversation with all its messages, in order."""
        with self._transaction(write=False):
            conversation = self.get(conversation_id)
            rows = (
                self._conn()
                .execute(
                    "SELECT * FROM messages WHERE conversation_id = ? ORDER BY position",
                    (conversation.id,),
                )
                .fetchall()
            )
        return conversation.model_copy(update={"messages": tuple(_message(r) for r in rows)})

    def list(self, limit: int = 100, offset: int = 0) -> list[Conversation]:  # noqa: A003
        """Conversations, most recently updated first (without their messages)."""
        rows = (
            self._conn()
            .execute(
                "SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"
                " AS message_count FROM conversations c"
                " ORDER BY c.updated_at DESC, c.id LIMIT ? OFFSET ?",
                (max(0, int(limit)), max(0, int(offset))),
            )
            .fetchall()
        )
        return [Conversation(**dict(r)) for r in rows]

    def append(
        self,
        conversation_id: str,
        role: str,
        content: str,
        status: Status = "complete",
        model: str | None = None,
    ) -> StoredMessage:
        """Save one message at the end of the conversation and return it.

        The position is taken under the write lock, so writers in several
        threads or processes never get the same one.
        """
        _check_message(role, content)
        if status not in ("complete", "interrupted"):
            raise UserError(f"status must be 'complete' or 'interrupted', not {status!r}")
        now = _now()
        with self._transaction() as conn:
            found = conn.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (str(conversation_id),)
            ).fetchone()
            if found is None:
                raise ConversationNotFound(f"no conversation has id {conversation_id!r}")
            position = conn.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            cursor = conn.execute(
                "INSERT INTO messages"
                " (conversation_id, position, role, content, created_at, status, model)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, position, role, content, now, status, model),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            row = conn.execute(
                "SELECT * FROM messages WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _message(row)

    def rename(self, conversation_id: str, title: str) -> Conversation:
        """Give the conversation a new title."""
        clean = _clean_title(title)
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?",
                (clean, _now(), str(conversation_id)),
            )
            if cursor.rowcount == 0:
                raise ConversationNotFound(f"no conversation has id {conversation_id!r}")
        return self.get(conversation_id)

    def delete(self, conversation_id: str) -> None:
        """Delete the conversation and its messages."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM messages WHERE conversation_id = ?", (str(conversation_id),))
            cursor = conn.execute("DELETE FROM conversations WHERE id = ?", (str(conversation_id),))
            if cursor.rowcount == 0:
                raise ConversationNotFound(f"no conversation has id {conversation_id!r}")

    # search

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Messages whose words match ``query`` (all of them), best first; then titles.

        Uses the FTS5 index when SQLite has it (whole words, the last one as a
        prefix, accents ignored), else a case-insensitive substring match.
        """
        if not isinstance(query, str):
            raise UserError(f"a search query must be text, not {type(query).__name__}")
        query = " ".join(query.split())
        if not query:
            raise UserError("the search query is empty: type a word to look for")
        if len(query) > MAX_QUERY_CHARS:
            raise UserError(f"the search query is longer than {MAX_QUERY_CHARS} characters")
        limit = max(1, int(limit))
        terms = re.findall(r"\w+", query)
        with self._transaction(write=False) as conn:
            if self.full_text and terms:
                hits = self._search_index(conn, terms, limit)
            else:
                hits = self._search_like(conn, query, limit)
            seen = {h.conversation_id for h in hits}
            rows = conn.execute(
                "SELECT id, title FROM conversations WHERE title LIKE ? ESCAPE '\\'"
                " ORDER BY updated_at DESC LIMIT ?",
                (_like_pattern(query), limit),
            ).fetchall()
        for row in rows:
            if row["id"] not in seen and len(hits) < limit:
                hits.append(
                    SearchHit(
                        conversation_id=row["id"],
                        title=row["title"],
                        position=None,
                        role=None,
                        snippet=row["title"],
                    )
                )
        return hits

    @staticmethod
    def _search_index(conn: sqlite3.Connection, terms: list[str], limit: int) -> list[SearchHit]:
        quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
        quoted[-1] += "*"
        rows = conn.execute(
            "SELECT m.conversation_id, c.title, m.position, m.role,"
            " snippet(messages_fts, 0, '', '', '…', 16) AS snippet"
            " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
            " JOIN conversations c ON c.id = m.conversation_id"
            " WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts), m.id LIMIT ?",
            (" ".join(quoted), limit),
        ).fetchall()
        return [SearchHit(**dict(r)) for r in rows]

    @staticmethod
    def _search_like(conn: sqlite3.Connection, query: str, limit: int) -> list[SearchHit]:
        rows = conn.execute(
            "SELECT m.conversation_id, c.title, m.position, m.role, m.content"
            " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            " WHERE m.content LIKE ? ESCAPE '\\' ORDER BY m.id DESC LIMIT ?",
            (_like_pattern(query), limit),
        ).fetchall()
        return [
            SearchHit(
                conversation_id=r["conversation_id"],
                title=r["title"],
                position=r["position"],
                role=r["role"],
                snippet=_snippet(r["content"], query),
            )
            for r in rows
        ]
