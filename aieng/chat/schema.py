"""The conversation store's SQLite schema, as an ordered list of migrations.

Each ``Migration`` is applied once, in order, inside the write transaction that
``ConversationStore`` opens on a file, and recorded in the ``schema_version``
table. To change the schema, append a migration; never edit an applied one.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One step of the schema: applied once, in order, inside a write transaction."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _create_tables(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)"""
    )
    conn.execute(
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (conversation_id, position))"""
    )
    conn.execute("CREATE INDEX conversations_by_update ON conversations (updated_at DESC)")


def fts5_available() -> bool:
    """Whether this Python's SQLite was built with the FTS5 full-text extension."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def _add_full_text(conn: sqlite3.Connection) -> None:
    if not fts5_available():
        logger.info("SQLite has no FTS5: conversation search falls back to LIKE")
        return
    conn.execute(
        """CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, content='messages', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')"""
    )
    conn.execute(
        """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END"""
    )
    conn.execute(
        """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content)
            VALUES ('delete', old.id, old.content); END"""
    )
    conn.execute(
        """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END"""
    )
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def _add_status(conn: sqlite3.Connection) -> None:
    conn.execute(
        "ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'complete' "
        "CHECK (status IN ('complete', 'interrupted'))"
    )
    conn.execute("ALTER TABLE messages ADD COLUMN model TEXT")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations and messages", _create_tables),
    Migration(2, "full-text index of message contents (when SQLite has FTS5)", _add_full_text),
    Migration(3, "message status (complete or interrupted) and model", _add_status),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
