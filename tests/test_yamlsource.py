"""The line-tracking YAML loader: plain data in, one located Problem per hostile construct."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audioessay.config import yamlsource
from audioessay.errors import Problem


def problems(text: str) -> list[str]:
    _, found = yamlsource.load(text, "s.yaml")
    return [str(p) for p in found]


def test_plain_document_keeps_lines_and_values():
    doc, found = yamlsource.load("title: t\nsections:\n  - title: a\n    text: b\n", "s.yaml")
    assert found == []
    assert doc.value == {"title": "t", "sections": [{"title": "a", "text": "b"}]}
    assert doc.line(("sections", 0, "text")) == 4
    assert doc.key_lines[("sections",)] == 2


def test_inf_and_nan_are_floats_at_this_layer():
    doc, found = yamlsource.load("a: .inf\nb: -.inf\nc: .nan\n", "s.yaml")
    assert found == []
    assert doc.value["a"] == float("inf") and doc.value["b"] == float("-inf")
    assert doc.value["c"] != doc.value["c"]


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: !!int abc\n", r"s.yaml:2: b: 'abc' is not a valid whole number; remove the !!int tag or fix the value"),
    ("a: !!bool maybe\n", r"s.yaml:1: a: 'maybe' is not true or false; remove the !!bool tag"),
    ("a: !!timestamp foo\n", r"s.yaml:1: a: 'foo' is not a real date or time"),
    ("date: 2025-13-45\n", r"s.yaml:1: date: '2025-13-45' is not a real date or time; write a date like 2025-05-01"),
    ("a: !!float x\n", r"s.yaml:1: a: 'x' is not a valid number"),
    ("a: !!binary AAAA\n", r"s.yaml:1: a: unsupported YAML type !!binary; remove the tag"),
    ("a: !!python/object:os.system x\n", r"s.yaml:1: a: tag !!python/object:os.system is not allowed"),
    ("a: !custom x\n", r"s.yaml:1: a: tag !custom is not allowed"),
    ("base: &b {x: 1}\nuse:\n  <<: *b\n", r"s.yaml:3: use: merge keys \(<<:\) are not supported; write the keys out"),
    ("a: " + "1" * 5000 + "\n", r"s.yaml:1: a: a number of 5,000 characters is too long \(at most 32\); quote it"),
    ("a: 0x" + "f" * 100 + "\n", r"s.yaml:1: a: a number of 102 characters is too long"),
    ("a: {b: 1, b: 2}\n", r"s.yaml:1: a.b: key appears twice; keep one"),
    ("? [a]\n: 1\n", r"s.yaml:1: keys must be plain words"),
])
def test_bad_scalars_and_tags_are_located_problems(text, expected):
    found = problems(text)
    assert len(found) == 1, found
    assert __import__("re").match(expected, found[0]), found[0]


@pytest.mark.parametrize("text, expected", [
    ("title: t\nsections:\n  - te\x07xt\n", "s.yaml:3: control character U+0007 at line 3, column 7; remove it"),
    ("a: b\x00\n", "s.yaml:1: control character U+0000 at line 1, column 5; remove it"),
    ("a: \ud800\n", "s.yaml:1: lone surrogate U+D800 at line 1, column 4; remove it"),
    ("a: \x1b[31mred\n", "s.yaml:1: control character U+001B at line 1, column 4; remove it"),
    ("a: \x85\n", "s.yaml:1: control character U+0085 at line 1, column 4; remove it"),
    ('a: "x\\x07"\n', "s.yaml:1: a: control character U+0007 at line 1 (written as an escape); remove it"),
    ('a: "\\udc80"\n', "s.yaml:1: a: lone surrogate U+DC80 at line 1 (written as an escape); remove it"),
])
def test_control_characters_and_surrogates_are_named_with_their_position(text, expected):
    assert problems(text) == [expected]


def test_tab_newline_and_cr_are_allowed():
    doc, found = yamlsource.load('a: "x\\ty"\r\nb: |\n  one\ttwo\n', "s.yaml")
    assert found == [] and doc.value == {"a": "x\ty", "b": "one\ttwo\n"}


def test_alias_bomb_is_refused_without_expanding():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    assert problems("\n".join(lines) + "\n") == [
        "s.yaml: aliases (*name) expand to more than 100,000 values; write the values out or use fewer aliases"
    ]


def test_modest_aliases_are_shared_not_copied():
    doc, found = yamlsource.load("a: &x {k: [1, 2]}\nb: *x\nc: *x\n", "s.yaml")
    assert found == []
    assert doc.value["a"] == doc.value["b"] == {"k": [1, 2]}
    assert doc.value["b"] is doc.value["a"] and doc.value["c"] is doc.value["a"]
    assert doc.line(("c", "k")) == 3  # a shared value is located at the alias that uses it


@pytest.mark.parametrize("text, expected", [
    ("a: &a [*a]\n", "s.yaml:1: an alias (*name) refers to a value that contains it; remove the alias"),
    ("a: *nowhere\n", "s.yaml:1: YAML alias error: found undefined alias 'nowhere'"),
])
def test_alias_errors(text, expected):
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(expected), found


@pytest.mark.parametrize("text", [
    "[" * 10_000 + "]" * 10_000,
    "".join("  " * i + "k:\n" for i in range(100)) + "  " * 100 + "k: v\n",
    "- " * 5_000 + "x\n",
])
def test_deep_nesting_is_refused(text):
    found = problems(text)
    assert len(found) == 1 and "nested more than 64 levels deep; flatten the structure" in found[0], found


def test_depth_just_under_the_cap_is_fine():
    doc, found = yamlsource.load("[" * 60 + "1" + "]" * 60, "s.yaml")
    assert found == [] and doc.value is not None


def test_too_many_values_is_refused():
    found = problems("a:\n" + "- x\n" * 100_000)
    assert len(found) == 1 and "has more than 20,000 values" in found[0], found


def test_oversized_text_is_refused_unparsed():
    text = "a: |\n" + ("  가나다라마바사 !\n" * 120_000)
    assert problems(text) == [
        f"s.yaml: is {len(text.encode()) / 1e6:.1f} MB; a script may be at most 2 MB (put long texts in section files)"
    ]


def test_syntax_error_is_one_located_line():
    assert problems('a: "open\nb: 1\n')[0].startswith("s.yaml:3: YAML syntax error:")


# Fuzzing: any text, and YAML-looking text, gives (doc or None, [Problem]) and never raises.
_YAMLISH = st.lists(st.sampled_from(list("ab1:-[]{}&*!<>|'\"\\ \n\t,?#%@`~.x0e+") +
                                     ["!!int ", "!!bool ", "!!timestamp ", "<<: ", "&a ", "*a ", "\n  ",
                                      "2025-13-45", "\x07", "\ud800", "\\x07", "\\udc80", "가"]),
                    max_size=120).map("".join)


@settings(deadline=2000, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_YAMLISH, st.text(max_size=200)))
def test_loader_never_raises(text):
    doc, found = yamlsource.load(text, "f.yaml")
    assert all(isinstance(p, Problem) and p.file == "f.yaml" and "\n" not in p.message for p in found)
    if doc is None:
        assert found  # refusing the document always says why


@settings(deadline=2000, max_examples=100)
@given(st.recursive(st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(
                        alphabet="abcxyz", min_size=1, max_size=5), kids, max_size=4), max_leaves=30))
def test_safe_dump_round_trips(value):
    import yaml

    text = yaml.safe_dump({"root": value}, allow_unicode=True)
    doc, found = yamlsource.load(text, "f.yaml")
    if not any(yamlsource.bad_character(s) for s in _strings(value)):
        assert found == [] and doc.value == {"root": value}
    else:
        assert found and all(p.message.endswith("; remove it") for p in found)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
