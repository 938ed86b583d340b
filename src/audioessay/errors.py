"""Error classes: plain exceptions that carry their exit code and the lines to show.

The CLI (cli.py) prints `lines()` and exits with `exit_code`; the library never prints.
"""

from __future__ import annotations

from dataclasses import dataclass


class AudioessayError(Exception):
    """Base of every error the user should see as one clean message."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def format_message(self) -> str:
        return self.message

    def lines(self) -> list[str]:
        """What the user sees, one 'error: ...' line each."""
        return [f"error: {self.format_message()}"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, located as file:line."""

    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        where = f" {self.where}:" if self.where else ""
        return f"{loc}:{where} {self.message}"


class InputError(AudioessayError):
    """Bad input (script, files, options). Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", None, "", problems)]
        self.problems = list(problems)
        super().__init__("\n".join(self._texts()))

    def _texts(self) -> list[str]:
        return [str(p).lstrip(": ") for p in self.problems]  # a Problem without a file starts ': '

    def lines(self) -> list[str]:
        """One line per problem."""
        return [f"error: {text}" for text in self._texts()]


class EngineError(AudioessayError):
    """A TTS engine or the network failed. Exit code 3. `text` is the spoken text that
    failed, when known, so the caller can name the sentence."""

    exit_code = 3

    def __init__(self, message: str, *, text: str | None = None):
        super().__init__(message)
        self.text = text


class ToolError(AudioessayError):
    """An external tool (ffmpeg) is missing or failed. Exit code 4."""

    exit_code = 4


class OutputError(AudioessayError):
    """The output cannot be written (disk full, permissions, a tag write failed). Exit code 5."""

    exit_code = 5
