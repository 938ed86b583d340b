"""Issue 26 (9): a user's install pulls in no test tool; the Hanja table ships with the package."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from audioessay.text.hanja_readings import table

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"pytest", "pytest-cov", "coveralls", "hanja", "typer", "pydantic"}


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _core(requirements: list[str] | None) -> list[str]:
    """Requirements without an extra (what a plain `pip install` installs)."""
    return [r for r in requirements or [] if "extra ==" not in r]


def test_declared_dependencies_name_no_test_tool() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not {_name(d) for d in deps} & TEST_TOOLS


def test_installed_requirements_name_no_test_tool_even_transitively() -> None:
    seen: set[str] = set()
    todo = [_name(r) for r in _core(metadata.requires("audioessay"))]
    assert todo, "the installed distribution lists its requirements"
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [_name(r) for r in _core(metadata.requires(name))]
        except metadata.PackageNotFoundError:
            continue  # a marker-only requirement (audioop-lts on 3.11)
    assert not seen & TEST_TOOLS, sorted(seen & TEST_TOOLS)
    assert "gtts" in seen  # the walk did reach the real dependencies


def test_the_table_ships_as_package_data() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "text/data/*" in package_data["audioessay"]
    assert (ROOT / "src/audioessay/text/data/hanja.txt").is_file()
    assert len(table()) > 27000
