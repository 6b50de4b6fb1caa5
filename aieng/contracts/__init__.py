"""Prompt contracts (phase 2): versioned prompts with a schema, run with validation and repair.

>>> from aieng.contracts import PromptContract, run_contract
>>> contract = PromptContract("contact", "1.0.0", "Extract the sender's contact.", Contact)
>>> run_contract(contract, "I'm Ann Lee, ann@lee.io").output
Contact(name='Ann Lee', email='ann@lee.io')

Errors (see ``aieng.errors``): ``ContractInputError`` (a ``UserError``: empty
or over-budget input, nothing sent) and ``ContractFailed`` (a
``ContractViolation``: still invalid after one repair); both carry ``trace``.
"""

from aieng.contracts.contract import Example, PromptContract
from aieng.contracts.gate import GateResult, gate
from aieng.contracts.runner import run_contract
from aieng.contracts.scoring import Case, FieldSpec, Spec, load_cases, load_spec, score_fields
from aieng.contracts.store import diff_contracts, list_versions, load_contract, save_contract
from aieng.contracts.suite import SuiteReport, run_suite
from aieng.contracts.trace import (
    Attempt,
    ContractFailed,
    ContractInputError,
    ContractResult,
    Trace,
)

__all__ = [
    "Attempt",
    "Case",
    "ContractFailed",
    "ContractInputError",
    "ContractResult",
    "Example",
    "FieldSpec",
    "GateResult",
    "PromptContract",
    "Spec",
    "SuiteReport",
    "Trace",
    "diff_contracts",
    "gate",
    "list_versions",
    "load_cases",
    "load_contract",
    "load_spec",
    "run_contract",
    "run_suite",
    "save_contract",
    "score_fields",
]
