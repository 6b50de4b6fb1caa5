"""The install story: pins in step, public names pinned, caches kept in the repo."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from aieng.settings import repo_root

ROOT = repo_root()


def _pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return dict(_split(d) for d in deps)


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return dict(_split(d) for d in pip_section)


def _split(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+(?:\[[a-z,]+\])?)==([^\s;]+)", requirement.strip())
    if match is None:
        raise ValueError(f"{requirement!r} is not pinned with ==")
    return match.group(1).lower(), match.group(2)


def test_every_direct_dependency_is_pinned_and_environment_yml_matches():
    assert _pyproject_pins() == _environment_pins()


def test_environment_yml_uses_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_torch_is_installed_before_everything_else_by_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    torch_line = makefile.index("pip install --quiet torch==")
    assert torch_line < makefile.index("pip install --quiet -e .")
    assert _pyproject_pins()["torch"] in makefile[torch_line : torch_line + 40]


def test_makefile_keeps_caches_in_the_repo_and_offline():
    makefile = (ROOT / "Makefile").read_text()
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        assert re.search(rf"export {variable} := \$\(ROOT\)/\.cache/", makefile), variable
    assert "export HF_HUB_OFFLINE := 1" in makefile
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".cache/" in ignored and ".aieng/" in ignored and ".grading/" in ignored


def test_ci_runs_make_test_and_passes_its_exit_code():
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    assert "set -e" not in script.replace("set -uo pipefail", "")
    assert script.rstrip().endswith("exit $?")


def test_readme_leads_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_command = min(readme.index("make course"), readme.index("make test"))
    assert first_command < readme.index("AIENG_PROVIDER")


def test_import_aieng_is_cheap():
    code = (
        "import sys, aieng, aieng.llm, aieng.errors;"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'faiss', 'fastapi') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_of_aieng_llm_are_pinned():
    import aieng.llm

    assert sorted(aieng.llm.__all__) == [
        "client",
        "cost_usd",
        "count_message_tokens",
        "count_tokens",
        "encoding",
        "model",
        "price",
        "provider",
        "resolve_model",
        "supports",
    ]
