"""Who may see what, which metadata matches, and which versions are current.

Permissions are enforced twice: ``ChunkFilter.select`` decides the positions
a search may look at before anything is ranked, and ``enforce_permissions``
re-checks what comes out, dropping (and logging) anything outside the
caller's groups. A caller never receives a chunk outside their groups,
whatever the ranking, the fusion or the reranker do.

A document is visible to a caller who shares at least one of its access
groups (group names are compared in lower case); a document with no groups is
visible to no one. A document is superseded when a document visible to the
same caller, and already in force, lists its id in ``supersedes``; an old
version is not hidden from someone who cannot see its successor.

Example:
    >>> table = ChunkFilter(chunks)
    >>> selection = table.select(groups={"all-staff"}, where=MetadataFilter({"department": "IT"}))
    >>> selection.positions                       # doctest: +SKIP
    array([ 3,  4, 17])
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import numpy as np

from aieng.errors import UserError
from aieng.rag.chunking import Chunk
from aieng.rag.documents import DocumentMetadata

logger = logging.getLogger(__name__)

FRESHNESS_MODES = ("exclude", "demote", "ignore")
T = TypeVar("T")


def normalise_groups(groups: str | Iterable[str]) -> frozenset[str]:
    """A caller's groups as a lower-case set; a single string is one group.

    Raises:
        UserError: ``groups`` is None (say whose search it is; pass ``()`` for nobody).
    """
    if groups is None:
        raise UserError("groups is required: pass the caller's access groups, e.g. {'all-staff'}")
    if isinstance(groups, str):
        groups = [groups]
    return frozenset(str(group).strip().lower() for group in groups if str(group).strip())


def permitted(chunk: Chunk, groups: str | Iterable[str]) -> bool:
    """Whether a caller in ``groups`` may see ``chunk``."""
    return not normalise_groups(groups).isdisjoint(chunk.metadata.access_groups)


def enforce_permissions(items: Sequence[T], groups: str | Iterable[str]) -> list[T]:
    """Drop every item (a ``Chunk`` or anything with ``.chunk``) outside ``groups``.

    This is the check after ranking; ``ChunkFilter.select`` already filters
    before it, so a drop here means a bug upstream and is logged as an error.
    """
    allowed = normalise_groups(groups)
    kept = []
    for item in items:
        chunk = getattr(item, "chunk", item)
        if allowed.isdisjoint(chunk.metadata.access_groups):
            logger.error(
                "permission filter dropped %s: not visible to %s", chunk.id, sorted(allowed)
            )
            continue
        kept.append(item)
    return kept


@dataclass(frozen=True)
class MetadataFilter:
    """Conditions on document metadata; all must hold.

    Args:
        where: field -> wanted value, or a collection of accepted values.
            Fields are ``DocumentMetadata`` attributes (``department``,
            ``owner``, ``format``, ``version``...), ``doc_id``, ``title``, or
            extra front-matter keys. Text compares case-insensitively.
        effective_from, effective_to: keep documents effective in this range
            (inclusive; a document without a date fails a date condition).
    """

    where: Mapping[str, Any] = field(default_factory=dict)
    effective_from: date | None = None
    effective_to: date | None = None

    def matches(self, doc_id: str, title: str, metadata: DocumentMetadata) -> bool:
        """Whether a document with this id, title and metadata passes."""
        for name, wanted in self.where.items():
            value = _field(doc_id, title, metadata, name)
            accepted = (
                [wanted]
                if isinstance(wanted, str) or not isinstance(wanted, Collection)
                else wanted
            )
            if not any(_same(value, option) for option in accepted):
                return False
        when = metadata.effective_date
        if self.effective_from and (when is None or when < self.effective_from):
            return False
        return not (self.effective_to and (when is None or when > self.effective_to))


def _field(doc_id: str, title: str, metadata: DocumentMetadata, name: str) -> Any:
    if name in ("doc_id", "id"):
        return doc_id
    if name == "title":
        return title
    if hasattr(metadata, name) and name != "extra":
        return getattr(metadata, name)
    return dict(metadata.extra).get(name)


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(value, tuple):  # access_groups, supersedes: any member matches
        return any(_same(item, wanted) for item in value)
    if isinstance(value, str) and isinstance(wanted, str):
        return value.strip().lower() == wanted.strip().lower()
    return value == wanted


@dataclass(frozen=True)
class Freshness:
    """How superseded versions are treated.

    Args:
        mode: ``"exclude"`` (default) removes superseded documents;
            ``"demote"`` keeps them but scales their score by
            ``demote_factor``; ``"ignore"`` treats all versions alike.
        demote_factor: in ``"demote"`` mode a superseded chunk's score ``s``
            becomes ``s - (1 - demote_factor) * |s|`` (``s * demote_factor`` when positive).
        as_of: documents effective after this date are not yet in force:
            they are left out and do not supersede anything. ``None``: no date check.
    """

    mode: str = "exclude"
    demote_factor: float = 0.5
    as_of: date | None = None

    def __post_init__(self) -> None:
        if self.mode not in FRESHNESS_MODES:
            raise UserError(f"freshness mode {self.mode!r}: choose one of {FRESHNESS_MODES}")
        if not 0 <= self.demote_factor <= 1:
            raise UserError(f"demote_factor must be in [0, 1], got {self.demote_factor}")


@dataclass(frozen=True)
class Selection:
    """The positions a search may return, and those to rank down as superseded."""

    positions: np.ndarray
    demoted: frozenset[int] = frozenset()


class ChunkFilter:
    """Per-document metadata of a chunk list, arranged for fast selection at query time.

    Group membership and dates are numpy arrays over documents, so a query
    costs a few vector operations however many chunks there are; only a
    ``MetadataFilter`` is evaluated document by document.
    """

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        doc_index: dict[str, int] = {}
        self._docs: list[tuple[str, str, DocumentMetadata]] = []
        doc_of = np.empty(len(chunks), dtype=np.int64)
        for position, chunk in enumerate(chunks):
            if chunk.doc_id not in doc_index:
                doc_index[chunk.doc_id] = len(self._docs)
                self._docs.append((chunk.doc_id, chunk.title, chunk.metadata))
            doc_of[position] = doc_index[chunk.doc_id]
        self._doc_of = doc_of
        self._doc_index = doc_index
        groups = sorted({g for _, _, meta in self._docs for g in meta.access_groups})
        self._group_column = {group: i for i, group in enumerate(groups)}
        self._members = np.zeros((len(self._docs), max(len(groups), 1)), dtype=bool)
        for row, (_, _, meta) in enumerate(self._docs):
            for group in meta.access_groups:
                self._members[row, self._group_column[group]] = True
        self._dates = np.array(
            [
                meta.effective_date.toordinal() if meta.effective_date else -1
                for *_, meta in self._docs
            ],
            dtype=np.int64,
        )
        self._replacing = [
            (row, meta.supersedes) for row, (*_, meta) in enumerate(self._docs) if meta.supersedes
        ]

    def _visible(self, groups: frozenset[str], as_of: date | None) -> np.ndarray:
        columns = [self._group_column[g] for g in groups if g in self._group_column]
        visible = self._members[:, columns].any(axis=1)
        if as_of is not None:
            visible &= (self._dates < 0) | (self._dates <= as_of.toordinal())
        return visible

    def superseded(self, groups: str | Iterable[str], as_of: date | None = None) -> set[str]:
        """Ids of documents superseded by a document visible to ``groups`` and in force."""
        visible = self._visible(normalise_groups(groups), as_of)
        return {old for row, olds in self._replacing if visible[row] for old in olds}

    def select(
        self,
        groups: str | Iterable[str],
        where: MetadataFilter | None = None,
        freshness: Freshness | None = None,
    ) -> Selection:
        """The chunk positions visible to ``groups`` that pass ``where`` and ``freshness``."""
        visible_groups = normalise_groups(groups)
        freshness = freshness or Freshness()
        keep = self._visible(visible_groups, freshness.as_of)
        if where is not None:
            for row in np.flatnonzero(keep):
                doc_id, title, meta = self._docs[row]
                keep[row] = where.matches(doc_id, title, meta)
        old = np.zeros(len(self._docs), dtype=bool)
        if freshness.mode != "ignore":
            for doc_id in self.superseded(visible_groups, freshness.as_of):
                if doc_id in self._doc_index:
                    old[self._doc_index[doc_id]] = True
        if freshness.mode == "exclude":
            keep &= ~old
        positions = np.flatnonzero(keep[self._doc_of])
        demoted = frozenset(np.flatnonzero((keep & old)[self._doc_of]).tolist())
        return Selection(positions=positions, demoted=demoted)


def _in_force(meta: DocumentMetadata, as_of: date | None) -> bool:
    return as_of is None or meta.effective_date is None or meta.effective_date <= as_of
