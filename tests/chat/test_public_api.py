"""The public names of ``aieng.chat``: an accidental break shows here."""

import aieng.chat


def test_public_names_are_pinned():
    assert sorted(aieng.chat.__all__) == [
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
    for name in aieng.chat.__all__:
        assert getattr(aieng.chat, name) is not None


def test_importing_the_package_does_not_import_fastapi():
    import subprocess
    import sys

    code = "import sys, aieng.chat; print('fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
