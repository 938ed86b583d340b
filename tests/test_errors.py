"""Library errors are plain exceptions with an exit code and the lines to show; only the
CLI knows click, and it shows those lines and exits with that code."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import click
import pytest
from click.testing import CliRunner

from audioessay.errors import AudioessayError, EngineError, InputError, OutputError, Problem, ToolError


def test_the_library_imports_no_click():
    code = textwrap.dedent("""
        import importlib, pathlib, sys
        import audioessay
        root = pathlib.Path(audioessay.__file__).parent
        # Every module but the command line (walk_packages would import the cli package itself).
        names = sorted("audioessay." + ".".join(f.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
                       for f in root.rglob("*.py"))
        names = [n for n in names if not n.startswith("audioessay.cli") and n != "audioessay.__main__"]
        for name in names:
            importlib.import_module(name)
        assert len(names) > 40, names
        print("click" in sys.modules, len(names))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    loaded, count = proc.stdout.split()
    assert loaded == "False", f"some of the {count} library modules import click"


def test_the_import_check_sees_click_when_it_is_there():
    """The check above can fail: importing cli does bring click in."""
    proc = subprocess.run([sys.executable, "-c", "import sys, audioessay.cli; print('click' in sys.modules)"],
                          capture_output=True, text=True)
    assert proc.stdout.strip() == "True", proc.stderr


def test_errors_are_plain_exceptions_with_their_exit_codes():
    for cls, code in ((AudioessayError, 1), (InputError, 2), (EngineError, 3), (ToolError, 4), (OutputError, 5)):
        exc = cls("it broke")
        assert not isinstance(exc, click.ClickException)
        assert exc.exit_code == code
        assert exc.message == exc.format_message() == str(exc) == "it broke"
        assert exc.lines() == ["error: it broke"]


def test_input_error_shows_one_line_per_problem():
    exc = InputError([Problem("ep.yaml", 3, "sections[0].text", "must not be empty"),
                      Problem("ep.yaml", None, "", "missing required key 'title'"),
                      Problem("", None, "", "--older-than: not an age")])
    assert exc.lines() == ["error: ep.yaml:3: sections[0].text: must not be empty",
                           "error: ep.yaml: missing required key 'title'",
                           "error: --older-than: not an age"]
    assert exc.format_message() == "\n".join(line.removeprefix("error: ") for line in exc.lines())
    assert len(exc.problems) == 3


def test_engine_error_carries_the_failing_text():
    exc = EngineError("HTTP 503", text="첫 문장.")
    assert exc.text == "첫 문장." and exc.lines() == ["error: HTTP 503"]


@pytest.mark.parametrize("error", [InputError([Problem("a.yaml", 1, "title", "must not be empty"),
                                               Problem("a.yaml", 2, "sections", "must be a list")]),
                                   EngineError("cannot reach the service"), ToolError("ffmpeg not found"),
                                   OutputError("disk full")])
def test_the_cli_shows_the_lines_and_exits_with_the_code(error):
    from audioessay.cli import cli

    @cli.command("raise-for-test", hidden=True)
    def raiser():
        """Raise the error (this test only)."""
        raise error

    try:
        result = CliRunner(mix_stderr=False).invoke(cli, ["raise-for-test"])
    finally:
        del cli.commands["raise-for-test"]
    assert result.exit_code == error.exit_code
    assert result.stderr == "".join(line + "\n" for line in error.lines())
    assert result.stdout == ""
