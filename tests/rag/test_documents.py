"""Loading md, html and pdf: front matter, text, and bad inputs skipped with reasons."""

from __future__ import annotations

import logging
import shutil
from datetime import date

import pytest

from aieng.errors import UserError
from aieng.rag import LoadOptions, load_corpus
from aieng.rag.documents import STEPS, load_document
from aieng.rag.loaders import normalise_fields, read_html

GOOD = "---\nid: {id}\ntitle: {title}\naccess_groups: [staff]\n---\n# {title}\n\nSome text.\n"


def test_markdown_front_matter_becomes_metadata(corpus_dir):
    doc = load_document(corpus_dir / "password-policy-2024.md")
    assert doc.id == "ITD-PWD-2"
    assert doc.title == "Password policy"
    assert doc.metadata.access_groups == ("everyone",)
    assert doc.metadata.effective_date == date(2024, 3, 1)
    assert doc.metadata.version == "2"
    assert doc.metadata.supersedes == ("ITD-PWD-1",)
    assert doc.metadata.format == "md"
    assert doc.text.startswith("# Password policy")
    assert "---" not in doc.text and "access_groups" not in doc.text


def test_html_meta_tags_headings_and_no_scripts(corpus_dir):
    doc = load_document(corpus_dir / "vpn-access.html")
    assert doc.id == "ITD-VPN"
    assert doc.metadata.access_groups == ("staff", "it-staff")
    assert doc.metadata.effective_date == date(2024, 1, 15)
    assert "## Session limits" in doc.text.splitlines()
    assert "# Remote access with the staff VPN" in doc.text
    assert "do not index this" not in doc.text and "font-family" not in doc.text
    assert "- A VPN session is disconnected after 12 hours, whatever the activity." in doc.text


def test_html_prefixed_meta_names_are_mapped(corpus_dir):
    doc = load_document(corpus_dir / "incident-escalation.html")
    assert doc.id == "ITD-INC"
    assert doc.metadata.access_groups == ("it-staff", "it-admins")
    assert doc.metadata.version == "2"
    assert doc.metadata.department == "IT Operations"
    assert "P1 | 15 minutes" in doc.text
    assert "Intranet home" not in doc.text  # navigation bars are not content


def test_pdf_info_fields_with_a_prefix(corpus_dir):
    doc = load_document(corpus_dir / "data-protection.pdf")
    assert doc.id == "ITD-DPT"
    assert doc.title == "Data protection training"
    assert doc.metadata.access_groups == ("staff", "faculty")
    assert doc.metadata.effective_date == date(2024, 5, 1)
    assert doc.metadata.owner == "Information governance"
    assert doc.metadata.format == "pdf"
    assert "repeated every two years" in doc.text


def test_pdf_with_front_matter_in_its_text(tmp_path, pdf_maker):
    lines = [
        "---",
        "id: PDF-2",
        "title: Fire drill",
        "access_groups: [everyone]",
        "---",
        "Drill body.",
    ]
    (tmp_path / "drill.pdf").write_bytes(pdf_maker(lines, {"Producer": "x"}))
    doc = load_document(tmp_path / "drill.pdf")
    assert (doc.id, doc.title, doc.metadata.access_groups) == ("PDF-2", "Fire drill", ("everyone",))
    assert doc.text == "Drill body."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"/Title": "T", "/AcmeId": "A1", "/AcmeAccessGroups": "x"}, {"title": "T", "id": "A1"}),
        ({"ACCESS-GROUPS": "x", "Effective Date": "2024-01-01"}, {"effective_date": "2024-01-01"}),
        ({"/CreationDate": "D:2020", "/ModDate": "D:2021"}, {}),  # not an effective date
        ({"dc.title": "Dc", "title": "Plain"}, {"title": "Plain"}),  # unprefixed wins
    ],
)
def test_field_names_normalise_generally(raw, expected):
    fields = normalise_fields(raw)
    for name, value in expected.items():
        assert fields[name] == value
    if not expected:
        assert "effective_date" not in fields


def _bad_corpus(tmp_path, corpus_dir, pdf_maker):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_dir, folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (folder / "empty.md").write_text("")
    (folder / "only-front-matter.md").write_text("---\nid: E-2\ntitle: Nothing\n---\n\n")
    (folder / "no-front-matter.md").write_text("# A note\n\nNo metadata here.\n")
    (folder / "bad-yaml.md").write_text("---\nid: B-1\ntitle: [unclosed\n---\nText.\n")
    bad_date = GOOD.format(id="B-2", title="T").replace(
        "title: T\n", "title: T\neffective_date: 2024-13-45\n"
    )
    (folder / "bad-date.md").write_text(bad_date)
    (folder / "no-title.md").write_text("---\nid: B-3\naccess_groups: [staff]\n---\nBody.\n")
    (folder / "never-closed.md").write_text("---\nid: B-4\ntitle: Open\nBody.\n")
    (folder / "huge.md").write_text(GOOD.format(id="H-1", title="Huge") + "word " * 30_000)
    (folder / "zz-dup.md").write_text(GOOD.format(id="ITD-MFA", title="Copy"))
    (folder / "notes.txt").write_text("ignored: not a supported format")
    (folder / ".hidden.md").write_text(GOOD.format(id="HID", title="Hidden"))
    return folder


def test_bad_inputs_are_skipped_counted_and_logged(tmp_path, corpus_dir, pdf_maker, caplog):
    folder = _bad_corpus(tmp_path, corpus_dir, pdf_maker)
    with caplog.at_level(logging.WARNING, logger="aieng.rag.documents"):
        report = load_corpus(folder, LoadOptions(max_bytes=100_000))
    assert len(report.documents) == 14  # the good corpus, untouched
    reasons = {item.path: item.kind for item in report.skipped}
    assert reasons == {
        "broken.pdf": "unreadable PDF",
        "empty.md": "empty document",
        "only-front-matter.md": "empty document",
        "no-front-matter.md": "missing front matter",
        "bad-yaml.md": "malformed front matter",
        "bad-date.md": "malformed front matter",
        "no-title.md": "malformed front matter",
        "never-closed.md": "malformed front matter",
        "huge.md": "huge file",
        "zz-dup.md": "duplicate id",
    }
    assert report.skipped_by_kind["malformed front matter"] == 4
    assert "skipped 10" in report.summary()
    for path in reasons:
        assert any(path in record.getMessage() for record in caplog.records), path
    assert not any("HID" == doc.id for doc in report.documents)


def test_huge_file_is_rejected_before_it_is_read(tmp_path):
    """Size is checked first: a huge file with broken front matter reports its size."""
    assert STEPS[0].__name__ == "_check_size" and STEPS[-1].__name__ == "_build_document"
    (tmp_path / "big.md").write_text("---\nnot: [valid\n---\n" + "x" * 5_000)
    report = load_corpus(tmp_path, LoadOptions(max_bytes=1_000))
    assert [item.kind for item in report.skipped] == ["huge file"]
    assert "1,000-byte limit" in report.skipped[0].reason


def test_missing_groups_get_the_configured_default_with_a_warning(tmp_path, caplog):
    (tmp_path / "a.md").write_text("---\nid: A\ntitle: A\n---\nText.\n")
    with caplog.at_level(logging.WARNING):
        report = load_corpus(tmp_path, LoadOptions(default_groups=("Patrons",)))
    assert report.documents[0].metadata.access_groups == ("patrons",)
    assert report.warnings and "default" in report.warnings[0]
    strict = load_corpus(tmp_path, LoadOptions(required=("id", "title", "access_groups")))
    assert not strict.documents and strict.skipped[0].kind == "malformed front matter"


def test_empty_access_groups_fail_closed(tmp_path):
    (tmp_path / "a.md").write_text("---\nid: A\ntitle: A\naccess_groups: []\n---\nText.\n")
    report = load_corpus(tmp_path)
    assert not report.documents and "empty" in report.skipped[0].reason


def test_front_matter_can_be_optional(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Opening Hours.md").write_text("# Opening hours\n\nNine to five.\n")
    options = LoadOptions(required=(), require_front_matter=False)
    first = load_corpus(tmp_path, options).documents[0]
    again = load_corpus(tmp_path, options).documents[0]
    assert first.id == again.id == "sub-Opening-Hours"
    assert first.title == "Opening hours"


def test_field_value_forms(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\nid: 42\ntitle: Forms\naccess_groups: Staff; HR-Only\nversion: 2.1\n"
        "effective_date: 2024-02-03T10:00:00\nsupersedes: old-1, old-2\nreviewer: Ann\n---\nText.\n"
    )
    doc = load_corpus(tmp_path).documents[0]
    assert doc.id == "42" and doc.metadata.version == "2.1"
    assert doc.metadata.access_groups == ("staff", "hr-only")
    assert doc.metadata.effective_date == date(2024, 2, 3)
    assert doc.metadata.supersedes == ("old-1", "old-2")
    assert dict(doc.metadata.extra) == {"reviewer": "Ann"}


def test_html_title_falls_back_to_the_title_tag():
    raw = read_html(
        "<html><head><title> Fees\n </title><meta name='id' content='F'></head><p>x</p>"
    )
    assert raw.fields == {"id": "F", "title": "Fees"} and raw.has_front_matter


def test_html_without_a_closing_head_tag_keeps_its_body():
    raw = read_html("<html><head><title>T</title><meta name=id content=X><body><p>Visible</p>")
    assert raw.text == "Visible" and raw.fields == {"id": "X", "title": "T"}


def test_load_document_and_load_corpus_refuse_bad_paths(tmp_path):
    with pytest.raises(UserError, match="not a folder"):
        load_corpus(tmp_path / "missing")
    (tmp_path / "x.docx").write_text("x")
    with pytest.raises(UserError, match="not a supported format"):
        load_document(tmp_path / "x.docx")
    (tmp_path / "e.md").write_text("")
    with pytest.raises(UserError, match="empty"):
        load_document(tmp_path / "e.md")
