"""Write src/audioessay/text/data/hanja.txt, the Hanja -> Hangul reading table read by text/hanja.py.

Source, honestly: the table of the `hanja` package (PyPI `hanja` 0.15.1, table.yml, MIT licence,
by Sumin Byeon), which is itself built from Unicode's Unihan database (the kHangul and kKorean
readings). The Unihan files cannot be downloaded on the machine this was generated on, so the
table was taken once from an installed `hanja` 0.15.1 and committed; audioessay no longer
depends on that package (it lists pytest, pytest-cov and coveralls as runtime dependencies).
To regenerate from Unihan itself, map each code point's first kHangul reading to its syllable.

Format: one line per reading, the Hangul syllable, a tab, then every Hanja read that way.
Run: python scripts/gen_hanja_table.py (needs `pip install hanja==0.15.1` in that environment).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "audioessay" / "text" / "data" / "hanja.txt"


def main() -> None:
    from hanja.table import hanja_table  # the one place the old package is still read

    by_reading: dict[str, list[str]] = defaultdict(list)
    for char, reading in hanja_table.items():
        by_reading[reading].append(char)
    lines = ["# Hanja -> Hangul readings (Unihan-derived, via the hanja 0.15.1 table; scripts/gen_hanja_table.py)"]
    lines += [f"{reading}\t{''.join(sorted(chars))}" for reading, chars in sorted(by_reading.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(hanja_table)} characters, {len(by_reading)} readings")


if __name__ == "__main__":
    main()
