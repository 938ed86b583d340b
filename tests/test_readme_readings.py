"""README's reading table is what the code says: every written example reads as its row shows."""

import re
from pathlib import Path

import pytest

from audioessay.text.normalize import normalize

README = Path(__file__).resolve().parents[1] / "README.md"


def rows() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text.split("| written | spoken |", 1)[1].split("\n\n", 1)[0]
    cases = []
    for line in table.splitlines()[2:]:
        written_cell, spoken_cell = line.strip("|").split(" | ")
        written = re.findall(r"`([^`]+)`", written_cell)
        spoken = [s.strip() for s in spoken_cell.strip(" |").split(", ")]
        assert len(written) == len(spoken), f"README row does not pair up: {line}"
        cases += zip(written, spoken)
    return cases


CASES = rows()


def test_the_table_is_found():
    assert len(CASES) > 60


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_readme_row_reads_as_shown(written, spoken):
    assert normalize(written) == spoken
