"""Error classes. User-facing errors are click exceptions, so the CLI needs no translation."""

from __future__ import annotations

from dataclasses import dataclass

import click


class AudioessayError(click.ClickException):
    """Base of every error the user should see as one clean message."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


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
        super().__init__("\n".join(str(p).lstrip(": ") for p in self.problems))

    def show(self, file=None) -> None:
        for p in self.problems:
            click.echo(f"error: {str(p).lstrip(': ')}", err=True, file=file)


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
