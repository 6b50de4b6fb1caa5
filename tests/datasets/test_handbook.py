"""The handbook dataset: documents, front matter, the golden set, and the PDF build.

The documents are read here independently of ``aieng.rag``: markdown body after
the YAML front matter, the visible text nodes of HTML, pypdf's text of PDFs. A
golden passage must lie inside one line (markdown, PDF) or one text node
(HTML), so that any sensible loader keeps it intact.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "datasets" / "handbook"
SCRIPT = ROOT / "datasets" / "scripts" / "make_pdfs.py"
GOLDEN = HANDBOOK / "golden.jsonl"

FIELDS = (
    "id",
    "title",
    "owner",
    "department",
    "access_groups",
    "effective_date",
    "version",
    "supersedes",
)
GROUPS = {"all-staff", "hr-only", "finance", "engineering", "leadership", "support", "legal"}
DEPARTMENTS = {"hr", "it-security", "finance", "engineering", "support", "legal"}
KINDS = {"factual", "multi_doc", "unanswerable", "permission", "freshness"}
MINIMUM_PER_KIND = {"unanswerable": 12, "permission": 12, "freshness": 12, "multi_doc": 8}
PDF_KEYS = {
    "/Title": "title",
    "/FernhillId": "id",
    "/FernhillOwner": "owner",
    "/FernhillDepartment": "department",
    "/FernhillAccessGroups": "access_groups",
    "/FernhillEffectiveDate": "effective_date",
    "/FernhillVersion": "version",
    "/FernhillSupersedes": "supersedes",
}
MARKDOWN_SYNTAX = re.compile(r"[*_`\[\]|#]")
DOC_PATHS = sorted(p for p in HANDBOOK.iterdir() if p.suffix in (".md", ".html", ".pdf"))


@dataclass(frozen=True)
class Doc:
    path: Path
    fields: dict
    segments: tuple[str, ...]  # lines (md, pdf) or text nodes (html)

    @property
    def id(self) -> str:
        return str(self.fields.get("id", ""))

    @property
    def text(self) -> str:
        return "\n".join(self.segments)

    @property
    def groups(self) -> set[str]:
        return set(self.fields["access_groups"])

    def visible_to(self, asker: list[str]) -> bool:
        return bool(self.groups & set(asker))

    def holds(self, passage: str) -> bool:
        return any(passage in segment for segment in self.segments)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content") or ""
        if tag in ("head", "script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("head", "script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden:
            self.nodes.append(text)


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@cache
def read_doc(path: Path) -> Doc:
    if path.suffix == ".md":
        match = re.match(r"---\n(.*?)\n---\n(.*)", path.read_text(encoding="utf-8"), re.S)
        assert match, f"{path.name}: no front matter"
        fields = yaml.safe_load(match.group(1))
        return Doc(path, fields, tuple(match.group(2).splitlines()))
    if path.suffix == ".html":
        parser = _Html()
        parser.feed(path.read_text(encoding="utf-8"))
        fields = dict(parser.meta)
        if "access_groups" in fields:
            fields["access_groups"] = _split_list(fields["access_groups"])
        return Doc(path, fields, tuple(parser.nodes))
    reader = PdfReader(path, strict=True)
    info = reader.metadata or {}
    fields = {name: str(info[key]) for key, name in PDF_KEYS.items() if key in info}
    if "access_groups" in fields:
        fields["access_groups"] = _split_list(fields["access_groups"])
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
    return Doc(path, fields, tuple(lines))


@cache
def corpus() -> dict[str, Doc]:
    return {doc.id: doc for doc in map(read_doc, DOC_PATHS)}


def effective(doc: Doc) -> date:
    value = doc.fields["effective_date"]
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def superseded_ids() -> set[str]:
    return {str(d.fields["supersedes"]) for d in corpus().values() if d.fields["supersedes"]}


def older_versions(doc: Doc) -> list[Doc]:
    chain, current = [], doc
    while current.fields["supersedes"]:
        current = corpus()[str(current.fields["supersedes"])]
        chain.append(current)
    return chain


@cache
def golden() -> tuple[dict, ...]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


# ---------------------------------------------------------------- documents


def test_corpus_size_formats_and_departments():
    docs = corpus()
    assert len(docs) == len(DOC_PATHS) >= 60, "ids must be unique and at least 60 documents"
    formats = Counter(path.suffix for path in DOC_PATHS)
    assert formats[".md"] > formats[".html"] + formats[".pdf"], "mostly markdown"
    assert formats[".html"] >= 6 and formats[".pdf"] >= 3
    departments = Counter(doc.fields.get("department") for doc in docs.values())
    assert set(departments) == DEPARTMENTS
    assert min(departments.values()) >= 5, departments


@pytest.mark.parametrize("path", DOC_PATHS, ids=[p.name for p in DOC_PATHS])
def test_front_matter_is_complete_and_valid(path):
    doc = read_doc(path)
    fields = doc.fields
    assert set(FIELDS) <= set(fields), f"missing {set(FIELDS) - set(fields)}"
    assert doc.id == path.stem and re.fullmatch(r"[a-z]+(-[a-z0-9.]+)+", doc.id)
    assert str(fields["title"]).strip()
    assert re.fullmatch(r"[A-Z][\w .'-]+, [A-Z].+", str(fields["owner"])), "owner: 'Name, Role'"
    assert fields["department"] in DEPARTMENTS
    groups = fields["access_groups"]
    assert isinstance(groups, list) and groups and set(groups) <= GROUPS, groups
    assert effective(doc) <= date(2025, 12, 31)
    assert str(fields["effective_date"]) == effective(doc).isoformat(), "ISO date"
    assert str(fields["version"]).strip()
    assert 200 <= len(doc.text.split()) <= 900, "200 to 900 words"


@pytest.mark.parametrize("path", DOC_PATHS, ids=[p.name for p in DOC_PATHS])
def test_supersedes_points_to_an_older_document(path):
    doc = read_doc(path)
    older = doc.fields["supersedes"]
    if not older:
        return
    assert older in corpus(), f"{doc.id} supersedes unknown {older}"
    previous = corpus()[older]
    assert effective(previous) < effective(doc)
    assert previous.fields["department"] == doc.fields["department"]


def test_versions_form_chains_with_enough_pairs():
    pairs = [(d.id, d.fields["supersedes"]) for d in corpus().values() if d.fields["supersedes"]]
    assert len(pairs) >= 10
    replaced = Counter(old for _, old in pairs)
    assert max(replaced.values()) == 1, "a version is replaced by one document only"


def test_restricted_documents_exist_for_each_kind():
    restricted = [d for d in corpus().values() if "all-staff" not in d.groups]
    covered = set().union(*(d.groups for d in restricted))
    assert {"hr-only", "leadership", "finance", "legal", "engineering", "support"} <= covered


# ---------------------------------------------------------------- golden set


def test_golden_records_have_the_schema():
    records = golden()
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        assert set(r) == {"id", "question", "asker_groups", "relevant", "answer", "kind", "split"}
        assert r["kind"] in KINDS and r["split"] in ("dev", "test")
        assert r["question"].strip() and r["answer"].strip()
        assert "all-staff" in r["asker_groups"] and set(r["asker_groups"]) <= GROUPS
        for item in r["relevant"]:
            assert set(item) == {"doc_id", "passage"} and item["passage"].strip()


def test_golden_counts_per_kind_and_split():
    records = golden()
    assert len(records) >= 90
    kinds = Counter(r["kind"] for r in records)
    for kind, minimum in MINIMUM_PER_KIND.items():
        assert kinds[kind] >= minimum, (kind, kinds[kind])
    splits = {(r["kind"], r["split"]) for r in records}
    assert all((kind, split) in splits for kind in KINDS for split in ("dev", "test"))
    dev = sum(r["split"] == "dev" for r in records) / len(records)
    assert 0.35 <= dev <= 0.45, f"about 40% dev, got {dev:.0%}"


def test_every_passage_is_an_exact_span_of_its_document():
    docs = corpus()
    for r in golden():
        for item in r["relevant"]:
            doc = docs.get(item["doc_id"])
            assert doc is not None, f"{r['id']}: unknown document {item['doc_id']}"
            assert doc.holds(item["passage"]), f"{r['id']}: passage not in {doc.id}"
            if doc.path.suffix == ".md":
                assert not MARKDOWN_SYNTAX.search(item["passage"]), r["id"]


def test_askers_may_read_the_documents_cited_for_them():
    docs = corpus()
    for r in golden():
        for item in r["relevant"]:
            assert docs[item["doc_id"]].visible_to(r["asker_groups"]), r["id"]


def test_answerable_questions_cite_current_versions():
    old = superseded_ids()
    for r in golden():
        assert not {item["doc_id"] for item in r["relevant"]} & old, r["id"]


def test_unanswerable_and_multi_doc_shapes():
    for r in golden():
        if r["kind"] == "unanswerable":
            assert r["relevant"] == [], r["id"]
        if r["kind"] == "multi_doc":
            assert len({item["doc_id"] for item in r["relevant"]}) >= 2, r["id"]
        if r["kind"] in ("factual", "freshness"):
            assert r["relevant"], r["id"]


def test_permission_questions_come_in_pairs_that_do_not_leak():
    docs = corpus()
    by_question = defaultdict(list)
    for r in golden():
        if r["kind"] == "permission":
            by_question[r["question"]].append(r)
    assert len(by_question) >= 6
    for question, records in by_question.items():
        allowed = [r for r in records if r["relevant"]]
        refused = [r for r in records if not r["relevant"]]
        assert allowed and refused, f"not a pair: {question}"
        assert len({r["split"] for r in records}) == 1, f"pair split across splits: {question}"
        cited = [docs[item["doc_id"]] for r in allowed for item in r["relevant"]]
        assert all("all-staff" not in doc.groups for doc in cited), question
        passages = [item["passage"] for r in allowed for item in r["relevant"]]
        for r in refused:
            assert all(not doc.visible_to(r["asker_groups"]) for doc in cited), r["id"]
            readable = [d for d in docs.values() if d.visible_to(r["asker_groups"])]
            for passage in passages:
                leaks = [d.id for d in readable if passage in d.text]
                assert not leaks, f"{r['id']}: {passage!r} readable in {leaks}"


def test_restricted_passages_never_appear_in_all_staff_documents():
    docs = corpus()
    public = [d for d in docs.values() if "all-staff" in d.groups]
    for r in golden():
        for item in r["relevant"]:
            if "all-staff" not in docs[item["doc_id"]].groups:
                leaks = [d.id for d in public if item["passage"] in d.text]
                assert not leaks, f"{r['id']}: {item['passage']!r} in {leaks}"


def test_freshness_questions_point_at_the_newest_version():
    docs = corpus()
    old = superseded_ids()
    for r in golden():
        if r["kind"] != "freshness":
            continue
        for item in r["relevant"]:
            doc = docs[item["doc_id"]]
            assert doc.id not in old, f"{r['id']}: {doc.id} has a newer version"
            previous = older_versions(doc)
            assert previous, f"{r['id']}: {doc.id} has no older version"
            for older in previous:
                assert item["passage"] not in older.text, f"{r['id']}: {older.id} agrees"


# ---------------------------------------------------------------- PDFs


def test_make_pdfs_reproduces_the_committed_pdfs_byte_for_byte(tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    committed = {p.name: p.read_bytes() for p in HANDBOOK.glob("*.pdf")}
    built = {p.name: p.read_bytes() for p in tmp_path.glob("*.pdf")}
    assert len(committed) >= 3
    assert set(built) == set(committed)
    changed = [name for name in committed if built[name] != committed[name]]
    assert not changed, f"rebuild differs: {changed}; run python datasets/scripts/make_pdfs.py"


def test_pdfs_are_readable_and_long_ones_have_pages():
    pages = {p.name: len(PdfReader(p, strict=True).pages) for p in HANDBOOK.glob("*.pdf")}
    assert max(pages.values()) >= 2
    for path in HANDBOOK.glob("*.pdf"):
        doc = read_doc(path)
        assert doc.segments[0] == doc.fields["title"], "the first line is the title"


def _load_script(monkeypatch):
    spec = importlib.util.spec_from_file_location("make_pdfs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look the module up
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no __pycache__ in the working tree
    spec.loader.exec_module(module)
    return module


def test_make_pdfs_escapes_wraps_and_paginates(tmp_path, monkeypatch):
    make_pdfs = _load_script(monkeypatch)
    sentence = "Costs (£12.50 or €14) are paid back\\forth within 5 days, says the policy."
    body = "\n\n".join(["# Odd (title)", *[sentence] * 60, "- a bullet (with parens)"])
    header = (
        "id: test-doc\ntitle: A (tricky) title\nowner: Ann Example, Tester\ndepartment: hr\n"
        "access_groups: all-staff, hr-only\neffective_date: 2024-01-31\nversion: 1\nsupersedes:\n"
    )
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    (source_dir / "test-doc.txt").write_text(header + "\n" + body + "\n", encoding="utf-8")
    [path] = make_pdfs.build_all(tmp_path / "out", source_dir)
    reader = PdfReader(path, strict=True)
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Odd (title)" in text and "a bullet (with parens)" in text
    assert text.count("£12.50 or €14") == 60 and "back\\forth" in text
    assert reader.metadata["/Title"] == "A (tricky) title"
    assert reader.metadata["/FernhillAccessGroups"] == "all-staff, hr-only"
    assert reader.metadata["/FernhillSupersedes"] == ""
    assert path.read_bytes() == make_pdfs.build_pdf(
        make_pdfs.read_source(source_dir / "test-doc.txt")
    )
