"""The chat page in a real headless Chromium: a reply appears token by token and is saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def page(tmp_path):
    if not CHROMIUM.exists():
        found = shutil.which("chromium")
        pytest.skip(
            f"no Chromium at {CHROMIUM} ({'found ' + found if found else 'none on PATH'}): "
            "install it with `apt-get install -y chromium` to run the browser test"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context()
        opened = context.new_page()
        opened.set_default_timeout(20_000)
        yield opened
        context.close()
        browser.close()


def test_a_streamed_reply_renders_as_it_arrives(make_chat, page):
    chat = make_chat("course-large")  # streams a few ms per token, so growth is visible
    question = "Our Tug keeps stopping near dock 7, " + " ".join(f"pallet{i}" for i in range(150))
    page.goto(chat.url + "/")
    # Record every length the reply's text takes while it streams.
    page.evaluate(
        """() => {
            window.replyLengths = [];
            new MutationObserver(() => {
                const reply = document.querySelector('.message.assistant');
                if (reply) window.replyLengths.push(reply.textContent.length);
            }).observe(document.getElementById('messages'),
                       {childList: true, subtree: true, characterData: true});
        }"""
    )
    page.fill("#input", question)
    page.click("#send")
    reply = page.locator(".message.assistant")
    page.wait_for_function(
        "() => document.querySelector('.message.assistant')?.dataset.messageId !== undefined"
    )
    text = reply.text_content()
    assert page.locator(".message.user").text_content() == question
    lengths = page.evaluate("window.replyLengths")
    distinct = sorted(set(lengths))
    assert len(distinct) > 10, f"the reply did not grow in steps: {distinct[:20]}"
    assert distinct[-1] == len(text)
    assert int(reply.get_attribute("data-chunks")) > 10
    assert reply.get_attribute("data-streaming") == "false"

    # It is saved, and listed under the title the first message gave it.
    chat_id = chat.store.list()[0].id
    saved = chat.store.load(chat_id).messages
    assert [m.role for m in saved] == ["user", "assistant"]
    assert saved[1].content == text
    page.wait_for_selector("#conversations button")
    assert page.locator("#conversations button").first.text_content().startswith("Our Tug")

    # A reload shows the saved conversation when it is opened.
    page.reload()
    page.locator("#conversations button").first.click()
    page.wait_for_selector(".message.assistant")
    assert page.locator(".message.assistant").text_content() == text


def test_a_rejected_message_shows_the_reason(make_chat, page):
    chat = make_chat("course-mini")
    page.goto(chat.url + "/")
    page.fill("#input", "pay \u202e0001$ now")
    page.click("#send")
    page.wait_for_function("() => document.getElementById('error').textContent.length > 0")
    assert "bidirectional override" in page.text_content("#error")
    assert page.locator(".message.assistant").count() == 0
    assert page.input_value("#input") == "pay \u202e0001$ now"  # kept, so it can be fixed

    # Text is shown as text: markup in a message is never parsed as HTML.
    markup = '<img src=x onerror="document.title=1"><b>bold</b>'
    page.fill("#input", markup)
    page.click("#send")
    page.wait_for_function(
        "() => document.querySelector('.message.assistant')?.dataset.messageId !== undefined"
    )
    assert page.locator(".message.user").text_content() == markup
    assert page.locator("#messages img, #messages b").count() == 0
    assert page.title() == "aieng chat"
