"""`text --cost` and speech/cost.py: characters to send, what the cache holds, requests left;
counted before and after a render against the local CLOVA fake, which must see no request
from the counting itself."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from audioessay.cli import cli
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.speech.cost import estimate
from audioessay.speech.plan import make_plan
from fake_clova import CLIENT_ID, CLIENT_SECRET, FakeClova

EPISODE = """\
title: 비용 시험
voice: {engine: clova, clova: {retries: 1, timeout: 2, deadline: 4}}
sections:
  - title: 하나
    text: 첫 문장이다. 둘째 문장이다. 첫 문장이다.
  - title: 둘
    text: 셋째 문장이다.
"""


@pytest.fixture
def clova(monkeypatch, no_proxy):
    with FakeClova() as fake:
        monkeypatch.setenv("AUDIOESSAY_CLOVA_URL", fake.url)
        yield fake


def counted(path, cache, limit=None):
    spec = script.load(path)
    plan = make_plan(spec)
    made = [engines.create(v.engine, v, spec.engine_settings) for v in plan.voices]
    limits = [limit or engines.spec(v.engine).max_chars for v in plan.voices]
    (cost,) = estimate(plan, made, cache, limits)
    return plan, cost


def test_counts_before_and_after_a_render(clova, monkeypatch, tmp_path):
    path = tmp_path / "ep.yaml"
    path.write_text(EPISODE, encoding="utf-8")
    cache = Cache(tmp_path / "c")
    plan, before = counted(path, cache)  # no credentials needed
    spoken = {u.spoken for u in plan.utterances if u.spoken.strip()}
    assert before.engine == "clova"
    assert before.sentences == len(spoken)  # the repeated sentence counts once
    assert before.characters == sum(len(s) for s in spoken)
    assert (before.cached_sentences, before.cached_characters) == (0, 0)
    assert before.requests == len(spoken) and before.to_send == before.characters
    assert clova.requests == []

    monkeypatch.setenv("CLOVA_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CLOVA_CLIENT_SECRET", CLIENT_SECRET)
    render.render(script.load(path), cache=cache)
    sent = len(clova.requests)
    assert sent == before.requests
    assert sum(len(t) for t in clova.requests) == before.to_send

    # One sentence changes: only it is left to send.
    path.write_text(EPISODE.replace("셋째 문장이다.", "넷째 문장이다, 새로 썼다."), encoding="utf-8")
    _, after = counted(path, cache)
    assert after.cached_sentences == before.sentences - 1
    assert after.requests == 1 and after.to_send == len("넷째 문장이다, 새로 썼다.")
    assert len(clova.requests) == sent


def test_requests_follow_the_engines_limit(clova, tmp_path):
    path = tmp_path / "ep.yaml"
    path.write_text(EPISODE, encoding="utf-8")
    _, whole = counted(path, Cache(tmp_path / "c"))
    _, split = counted(path, Cache(tmp_path / "c"), limit=4)
    assert split.requests > whole.requests and split.characters == whole.characters


def test_text_cost_command_prints_the_summary_without_a_request(clova, monkeypatch, tmp_path):
    monkeypatch.delenv("CLOVA_CLIENT_ID", raising=False)
    monkeypatch.setenv("AUDIOESSAY_CACHE_DIR", str(tmp_path / "c"))
    path = tmp_path / "ep.yaml"
    path.write_text(EPISODE.replace("engine: clova", "engine: auto"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["text", str(path), "--engine", "clova", "--cost"])
    assert result.exit_code == 0, result.output
    assert "engine clova:" in result.output and "would send:" in result.output and "requests" in result.output
    refused = CliRunner().invoke(cli, ["text", str(path), "--cost"])
    assert refused.exit_code == 2 and "--engine" in refused.output
    assert clova.requests == []


def test_render_dry_run_prints_the_summary_and_writes_nothing(clova, monkeypatch, tmp_path):
    monkeypatch.setenv("CLOVA_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CLOVA_CLIENT_SECRET", CLIENT_SECRET)
    path = tmp_path / "ep.yaml"
    path.write_text(EPISODE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(path), "--dry-run", "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "would send:" in result.output and "in 5 requests" in result.output  # 2 headings + 3 distinct sentences
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep.yaml"]
    assert clova.requests == []
