"""Contract versions as files: ``<folder>/<name>/<version>.json``, immutable once written.

Each file is the contract's serialised form (sorted keys, indent 2, trailing
newline), so a version is easy to review in a pull request and to diff.
Saving the same contract again is a no-op; saving a different one under an
existing version is refused: bump the version instead.

Example:
    >>> path = save_contract(contract, "contracts")    # contracts/contact/1.0.0.json
    >>> load_contract("contracts", "contact").version  # the latest version
    '1.0.0'
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from aieng.contracts.contract import DEFAULT_RECOVERY_PROMPT, Example, PromptContract
from aieng.errors import UserError

SUFFIX = ".json"


class ContractRecord(BaseModel):
    """A contract file on disk (validated when loaded)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    instructions: str
    output_schema: dict[str, Any]
    examples: list[dict[str, Any]] = []
    refusal_rules: list[str] = []
    recovery_prompt: str = DEFAULT_RECOVERY_PROMPT
    model: str = "chat-small"
    temperature: float = 0.0
    max_output_tokens: int | None = None
    max_input_tokens: int | None = None


def version_key(version: str) -> tuple:
    """Natural order of versions: ``1.2.10`` after ``1.2.9``, ``v10`` after ``v9``."""
    parts = re.findall(r"\d+|[A-Za-z]+", version.lower().removeprefix("v"))
    return tuple((0, int(p), "") if p.isdigit() else (-1, 0, p) for p in parts)


def _folder(folder: str | Path, name: str) -> Path:
    return Path(folder) / name


def save_contract(contract: PromptContract, folder: str | Path) -> Path:
    """Write ``contract`` to ``folder/<name>/<version>.json`` and return the path.

    Raises:
        UserError: that version already holds a different contract (versions are immutable).
    """
    path = _folder(folder, contract.name) / f"{contract.version}{SUFFIX}"
    text = contract.to_json()
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return path
        raise UserError(
            f"{path} already holds a different {contract.name}@{contract.version}: versions are "
            "immutable, so bump the version (e.g. 1.0.0 -> 1.1.0) and save again"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def list_versions(folder: str | Path, name: str) -> list[str]:
    """The saved versions of contract ``name``, oldest first (natural version order)."""
    directory = _folder(folder, name)
    if not directory.is_dir():
        return []
    return sorted((p.stem for p in directory.glob(f"*{SUFFIX}")), key=version_key)


def contract_from_dict(data: dict) -> PromptContract:
    """Build a contract from its serialised form (the schema stays a JSON Schema dict).

    Raises:
        UserError: the data is not a contract record, or its schema or examples are invalid.
    """
    try:
        record = ContractRecord.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"not a prompt contract record: {exc}") from None
    fields = record.model_dump()
    fields["schema"] = fields.pop("output_schema")
    fields["examples"] = tuple(
        Example(e.get("input", ""), e.get("output")) for e in fields["examples"]
    )
    return PromptContract(**fields)


def load_contract(folder: str | Path, name: str, version: str | None = None) -> PromptContract:
    """Load contract ``name`` at ``version`` (the latest when None) from ``folder``.

    Raises:
        UserError: no such contract or version (the message lists what there is), or a
            file that is not a valid contract.
    """
    versions = list_versions(folder, name)
    if not versions:
        raise UserError(
            f"no contract {name!r} in {Path(folder)}: save one with save_contract(contract, "
            f"{str(folder)!r})"
        )
    if version is None:
        version = versions[-1]
    elif version not in versions:
        raise UserError(
            f"contract {name!r} has no version {version!r}: choose one of {', '.join(versions)}"
        )
    path = _folder(folder, name) / f"{version}{SUFFIX}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"{path} is not readable JSON: {exc}") from None
    contract = contract_from_dict(data)
    if (contract.name, contract.version) != (name, version):
        raise UserError(
            f"{path} holds {contract.name}@{contract.version}, not {name}@{version}: "
            "the file was renamed by hand"
        )
    return contract


def diff_contracts(a: PromptContract, b: PromptContract) -> str:
    """A unified diff of two contracts' serialised forms, headed ``--- name@v1`` / ``+++ name@v2``.

    Example:
        >>> print(diff_contracts(v1, v2))  # doctest: +SKIP
        --- contact@1.0.0
        +++ contact@1.1.0
        @@ -10,1 +10,1 @@
        -  "temperature": 0.0,
        +  "temperature": 0.2,
    """
    return "".join(
        difflib.unified_diff(
            a.to_json().splitlines(keepends=True),
            b.to_json().splitlines(keepends=True),
            fromfile=f"{a.name}@{a.version}",
            tofile=f"{b.name}@{b.version}",
        )
    )
