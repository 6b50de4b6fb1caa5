"""The public names of aieng.contracts are pinned; each is importable and documented."""

from __future__ import annotations

import aieng.contracts


def test_public_names_are_pinned():
    assert aieng.contracts.__all__ == [
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


def test_every_public_name_exists_and_has_a_docstring():
    for name in aieng.contracts.__all__:
        item = getattr(aieng.contracts, name)
        assert item.__doc__ and item.__doc__.strip(), name


def test_errors_fit_the_tree():
    from aieng.errors import ContractViolation, UserError

    assert issubclass(aieng.contracts.ContractFailed, ContractViolation)
    assert issubclass(aieng.contracts.ContractInputError, UserError)
