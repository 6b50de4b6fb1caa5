"""The SQLite conversation store: the operations, restarts, schema versions, concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest

from aieng.chat import ConversationNotFound, ConversationStore
from aieng.chat.schema import MIGRATIONS, SCHEMA_VERSION
from aieng.chat.store import DEFAULT_TITLE
from aieng.errors import UserError


@pytest.fixture
def store(tmp_path):
    with ConversationStore(tmp_path / "chat.sqlite3") as opened:
        yield opened


def test_create_append_load_in_order(store):
    chat = store.create("Late delivery", [{"role": "system", "content": "Be brief."}])
    assert chat.title == "Late delivery"
    assert [m.role for m in chat.messages] == ["system"]
    first = store.append(chat.id, "user", "Where is ORD-105322?")
    second = store.append(chat.id, "assistant", "It left Rotterdam today.")
    assert (first.position, second.position) == (1, 2)
    loaded = store.load(chat.id)
    assert [(m.role, m.content) for m in loaded.messages] == [
        ("system", "Be brief."),
        ("user", "Where is ORD-105322?"),
        ("assistant", "It left Rotterdam today."),
    ]
    assert loaded.message_count == 3
    assert loaded.messages[1].as_dict() == {"role": "user", "content": "Where is ORD-105322?"}


def test_text_is_kept_exactly(store):
    text = "emoji 🤖, RTL مرحبا, tabs\tand\nnewlines, quotes ' \" and 100% _under_"
    chat = store.create()
    store.append(chat.id, "user", text)
    assert store.load(chat.id).messages[0].content == text


def test_list_is_most_recent_first_without_messages(store):
    older = store.create("older")
    newer = store.create("newer")
    assert [c.id for c in store.list()] == [newer.id, older.id]
    store.append(older.id, "user", "bump")
    listed = store.list()
    assert [c.id for c in listed] == [older.id, newer.id]
    assert listed[0].message_count == 1 and listed[0].messages == ()
    assert [c.id for c in store.list(limit=1, offset=1)] == [newer.id]


def test_titles_default_tidy_and_rules(store):
    assert store.create().title == DEFAULT_TITLE
    assert store.create("  Dock   7\n fault ").title == "Dock 7 fault"
    with pytest.raises(UserError, match="limit is 200"):
        store.create("t" * 201)
    with pytest.raises(UserError, match="control character"):
        store.create("bad\x00title")
    with pytest.raises(UserError, match="must be text"):
        store.create(42)


def test_rename(store):
    chat = store.create("draft")
    assert store.rename(chat.id, "Charger smoke at Rotterdam").title == "Charger smoke at Rotterdam"
    assert store.load(chat.id).title == "Charger smoke at Rotterdam"


def test_delete_removes_messages_and_search_hits(store):
    chat = store.create("gone")
    store.append(chat.id, "user", "unmistakable zebra")
    store.delete(chat.id)
    with pytest.raises(ConversationNotFound):
        store.load(chat.id)
    assert store.search("zebra") == []
    assert store.list() == []


@pytest.mark.parametrize("operation", ["load", "get", "append", "rename", "delete"])
def test_unknown_ids_raise_not_found(store, operation):
    calls = {
        "load": lambda: store.load("nope"),
        "get": lambda: store.get("nope"),
        "append": lambda: store.append("nope", "user", "hi"),
        "rename": lambda: store.rename("nope", "title"),
        "delete": lambda: store.delete("' OR 1=1 --"),
    }
    with pytest.raises(ConversationNotFound, match="no conversation has id"):
        calls[operation]()


def test_not_found_is_a_user_error_and_a_key_error(store):
    with pytest.raises(UserError):
        store.load("x")
    with pytest.raises(KeyError):
        store.load("x")


def test_messages_are_checked(store):
    chat = store.create()
    with pytest.raises(UserError, match="role must be one of"):
        store.append(chat.id, "tool", "hi")
    with pytest.raises(UserError, match="must be text"):
        store.append(chat.id, "user", b"bytes")
    with pytest.raises(UserError, match="surrogate"):
        store.append(chat.id, "user", "bad \udc80")
    with pytest.raises(UserError, match="status"):
        store.append(chat.id, "assistant", "hi", status="lost")
    with pytest.raises(UserError):
        store.create(messages=[{"role": "wizard", "content": "hi"}])
    assert store.load(chat.id).messages == ()


def test_an_in_memory_database_is_refused(tmp_path):
    with pytest.raises(UserError, match="needs a file"):
        ConversationStore(":memory:")


def test_interrupted_replies_keep_their_status(store):
    chat = store.create()
    store.append(chat.id, "assistant", "Half a rep", status="interrupted", model="course-large")
    message = store.load(chat.id).messages[0]
    assert (message.status, message.model) == ("interrupted", "course-large")


# --- restarts and schema versions ---------------------------------------------------------


def test_a_conversation_survives_a_restart(tmp_path):
    path = tmp_path / "nested" / "folder" / "chat.sqlite3"
    first = ConversationStore(path)
    chat = first.create("restart me", [{"role": "user", "content": "still here?"}])
    first.append(chat.id, "assistant", "yes")
    first.close()
    second = ConversationStore(path)
    assert [m.content for m in second.load(chat.id).messages] == ["still here?", "yes"]
    assert second.load(chat.id).title == "restart me"
    second.close()


def test_schema_version_table_records_every_migration(store):
    assert store.schema_version() == SCHEMA_VERSION == MIGRATIONS[-1].version
    rows = (
        sqlite3.connect(store.path)
        .execute("SELECT version, description FROM schema_version ORDER BY version")
        .fetchall()
    )
    assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]
    assert all(r[1] for r in rows)


def test_a_version_1_file_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    MIGRATIONS[0].apply(conn)
    conn.execute("INSERT INTO schema_version VALUES (1, 'v1', '2025-01-01')")
    conn.execute("INSERT INTO conversations VALUES ('c1', 'Old', '2025-01-01', '2025-01-01')")
    conn.execute(
        "INSERT INTO messages (conversation_id, position, role, content, created_at)"
        " VALUES ('c1', 0, 'user', 'saved before the upgrade', '2025-01-01')"
    )
    conn.commit()
    conn.close()

    store = ConversationStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    message = store.load("c1").messages[0]
    assert (message.content, message.status) == ("saved before the upgrade", "complete")
    if store.full_text:
        assert store.search("upgrade")[0].conversation_id == "c1"  # index rebuilt from old rows
    store.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    ConversationStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO schema_version VALUES (?, 'from the future', 'x')", (SCHEMA_VERSION + 1,)
    )
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="newer than this aieng knows"):
        ConversationStore(path)


# --- search -------------------------------------------------------------------------------


def test_search_finds_words_prefixes_and_titles(store):
    a = store.create("Charger smoke")
    store.append(a.id, "user", "Smoke came from the charging dock at Rotterdam.")
    b = store.create("Invoice query")
    store.append(b.id, "user", "We were charged twice for FleetOS.")
    hits = store.search("rotterdam")
    assert [(h.conversation_id, h.position, h.role) for h in hits] == [(a.id, 0, "user")]
    assert "Rotterdam" in hits[0].snippet
    assert {h.conversation_id for h in store.search("fleet")} == {b.id}  # prefix of FleetOS
    assert store.search("invoice")[0].position is None  # a title hit
    assert store.search("smoke dock")[0].conversation_id == a.id
    assert store.search("smoke invoice") == []  # every word must match


def test_search_ignores_accents_with_full_text(store):
    if not store.full_text:
        pytest.skip("this SQLite has no FTS5")
    chat = store.create()
    store.append(chat.id, "user", "Le café du dépôt est fermé")
    assert store.search("depot")[0].conversation_id == chat.id


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "AND",
        "a OR b",
        "NEAR(x y)",
        "*",
        "col:value",
        "(((",
        "100%",
        "_",
        "-x",
        "^a",
        "🤖",
    ],
)
def test_hostile_queries_do_not_break_search(store, query):
    chat = store.create()
    store.append(chat.id, "user", "plain text about robots")
    assert isinstance(store.search(query), list)


def test_search_without_full_text_uses_a_literal_substring(store):
    store.full_text = False  # as on a Python whose SQLite lacks FTS5
    chat = store.create()
    store.append(chat.id, "user", "discount of 100% on part_7")
    store.append(chat.id, "user", "discount of 1000 on partX7")
    hits = store.search("100% on part_7")
    assert [h.position for h in hits] == [0]
    assert "100% on part_7" in hits[0].snippet


def test_empty_or_wrong_queries_are_refused(store):
    with pytest.raises(UserError, match="empty"):
        store.search("   ")
    with pytest.raises(UserError, match="must be text"):
        store.search(None)
    with pytest.raises(UserError, match="longer than"):
        store.search("a" * 501)


# --- concurrent writers -------------------------------------------------------------------

WRITERS = 4
APPENDS = 25


def _append_many(path: str, conversation_id: str, writer: int, count: int) -> None:
    store = ConversationStore(path)
    for i in range(count):
        store.append(conversation_id, "user", f"writer {writer} message {i}")
    store.close()


def _open_and_create(path: str, writer: int) -> None:
    store = ConversationStore(path)
    store.create(f"writer {writer}", [{"role": "user", "content": "first"}])
    store.close()


def _check_no_lost_or_duplicate_appends(store, chat_id: str, writers: int, appends: int) -> None:
    messages = store.load(chat_id).messages
    assert [m.position for m in messages] == list(range(writers * appends))
    assert len({m.content for m in messages}) == writers * appends
    for writer in range(writers):
        own = [m.content for m in messages if m.content.startswith(f"writer {writer} ")]
        assert own == [f"writer {writer} message {i}" for i in range(appends)]


def test_several_processes_append_at_once(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    store = ConversationStore(path)
    chat = store.create("busy")
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append_many, args=(path, chat.id, w, APPENDS))
        for w in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WRITERS
    _check_no_lost_or_duplicate_appends(store, chat.id, WRITERS, APPENDS)
    store.close()


def test_several_processes_open_a_new_file_at_once(tmp_path):
    path = str(tmp_path / "fresh.sqlite3")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_open_and_create, args=(path, w)) for w in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WRITERS
    store = ConversationStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert len(store.list()) == WRITERS
    store.close()


def test_threads_share_one_store(store):
    chat = store.create("threads")
    errors = []

    def work(writer: int) -> None:
        try:
            for i in range(APPENDS):
                store.append(chat.id, "user", f"writer {writer} message {i}")
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    _check_no_lost_or_duplicate_appends(store, chat.id, WRITERS, APPENDS)


def test_a_failed_write_leaves_nothing_behind(store):
    chat = store.create()
    with pytest.raises(UserError):
        store.create("ok", [{"role": "user", "content": "fine"}, {"role": "bad", "content": "x"}])
    assert [c.id for c in store.list()] == [chat.id]
