"""`audioessay publish` as a user runs it, against real servers on 127.0.0.1 (bugs found in the
issue-24 acceptance run): a bucket that is not there, a URL without bucket or host, an SFTP server
whose host key ~/.ssh/known_hosts does not vouch for, an episode name inside another's, and
sidecars that must not change under the live feed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import asyncssh
import pytest
from click.testing import CliRunner
from publish_servers import moto_s3, sftp_server
from test_publish import _show

from audioessay.cli import cli
from audioessay.errors import EngineError, InputError
from audioessay.publish.push import remote, upload


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in output, output
    return lines[0]


@pytest.mark.parametrize("url", ["s3:///show", "s3://"])
def test_an_s3_url_without_a_bucket_is_refused(url: str) -> None:
    # s3:///show used to make "show" the bucket and go looking for it on AWS
    with pytest.raises(InputError, match="names no bucket"):
        remote.open_remote(url, "http://127.0.0.1:9")


def test_a_missing_bucket_is_exit_2_before_anything_is_planned_or_written(tmp_path: Path) -> None:
    with moto_s3() as endpoint:
        show = _show(tmp_path, f"{endpoint}/nobucket/show/")
        runner = CliRunner()
        for extra in ([], ["--dry-run"]):  # it was exit 5 "writing cover.jpg failed", and a dry run planned 17 uploads
            result = runner.invoke(cli, ["publish", str(show), "--to", "s3://nobucket/show",
                                         "--endpoint-url", endpoint, *extra])
            assert result.exit_code == 2, result.output
            assert "bucket nobucket does not exist" in _one_error_line(result.output)
        # a new prefix in a bucket that exists is a new target, not an error
        plan = upload.build(show, remote.open_remote("s3://podcast/new", endpoint), tmp_path / "scratch")
        assert plan.upload[-1] == "feed.xml" and not plan.remote


def test_an_sftp_url_without_a_host_is_exit_2(tmp_path: Path) -> None:
    show = _show(tmp_path, "https://cdn.example.com/podcast/")
    result = CliRunner().invoke(cli, ["publish", str(show), "--to", "sftp:///show"])  # was exit 70, a TypeError
    assert result.exit_code == 2, result.output
    assert "names no host" in _one_error_line(result.output)


def test_sftp_checks_the_host_key_against_known_hosts(tmp_path: Path, monkeypatch) -> None:
    root, keys, home = tmp_path / "sftp-root", tmp_path / "keys", tmp_path / "home"
    for folder in (root, keys, home / ".ssh"):
        folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    known = home / ".ssh" / "known_hosts"
    with sftp_server(root, keys) as port:
        (home / ".ssh" / "id_ed25519").write_bytes((keys / "client").read_bytes())
        (home / ".ssh" / "id_ed25519").chmod(0o600)
        url = f"sftp://writer@127.0.0.1:{port}/show"
        with pytest.raises(InputError, match="known_hosts does not exist"):
            remote.open_remote(url)
        # sshfs passes known_hosts=None by default: any server, even an impostor, was accepted
        impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
        known.write_text(f"[127.0.0.1]:{port} {impostor}\n", encoding="utf-8")
        with pytest.raises(EngineError, match="does not list this server's host key"):
            remote.open_remote(url)
        known.write_text("other.example " + impostor + "\n", encoding="utf-8")
        with pytest.raises(EngineError, match="does not list this server's host key"):
            remote.open_remote(url)
        host = asyncssh.read_private_key(str(keys / "host")).export_public_key().decode().strip()
        known.write_text(f"[127.0.0.1]:{port} {host}\n", encoding="utf-8")
        show = _show(tmp_path, "https://cdn.example.com/podcast/")
        result = CliRunner().invoke(cli, ["publish", str(show), "--to", url])  # keys from ~/.ssh, as a user has them
        assert result.exit_code == 0, result.output
        assert (root / "show" / "feed.xml").is_file() and (root / "show" / upload.MANIFEST).is_file()


def test_an_episode_whose_name_ends_with_another_episodes_name_keeps_its_own_enclosure(tmp_path: Path) -> None:
    from serve_range import serve
    from test_id3 import make_mp3

    from audioessay.export.id3 import Tags, write_tags
    from audioessay.publish.push import verify

    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        show = _show(tmp_path, base)
        # "x02-bare.mp3" contains "02-bare.mp3": the rename of the latter used to rewrite the former's
        # links too, so its enclosure named a file that was never uploaded (her.mp3 / other.mp3 alike)
        longer = make_mp3(show.parent / "episodes" / "x02-bare.mp3", 3)
        write_tags(longer, Tags(title="세 번째", artist="김작가", album="에세이 라디오", episode=5,
                                date="2024-07-01"), [])
        result = upload.publish(show, remote.open_remote(str(public)))
        mp3s = sorted(n for n in result.uploaded if n.endswith(".mp3"))
        assert len(mp3s) == 3 and len({n.rsplit(".", 2)[1] for n in mp3s}) == 3
        feed = (public / "feed.xml").read_text(encoding="utf-8")
        for name in mp3s:
            assert f'url="{base}{quote(name)}"' in feed
        assert verify.verify(base + "feed.xml") == []
        page = (public / "x02-bare.html").read_text(encoding="utf-8")
        assert next(n for n in mp3s if n.startswith("x02-bare.")) in page


def test_a_changed_transcript_gets_a_new_url_and_never_changes_under_the_live_feed(tmp_path: Path) -> None:
    import re

    import requests
    from serve_range import serve

    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        show = _show(tmp_path, base)
        target = remote.open_remote(str(public))
        upload.publish(show, target)
        old_feed = (public / "feed.xml").read_text(encoding="utf-8")
        links = re.findall(r'<podcast:(?:transcript|chapters) url="([^"]+)"', old_feed)
        old = {u: requests.get(u).content for u in links}
        assert len(old) == 4  # VTT, SRT, JSON transcript and chapters of the first episode
        # a re-render rewrites the sidecars; at a fixed name they used to be replaced before the feed,
        # so a publish killed there left the old feed's MP3 with another render's cues and chapters
        vtt = next((show.parent / "episodes").glob("*.vtt"))
        vtt.write_text(vtt.read_text(encoding="utf-8").replace("\n\n", "\n\nNOTE re-rendered\n\n", 1), encoding="utf-8")
        edit = upload.publish(show, target)
        (new_vtt,) = [n for n in edit.uploaded if n.endswith(".vtt")]
        assert edit.uploaded.index(new_vtt) < edit.uploaded.index("feed.xml") == len(edit.uploaded) - 1
        for url, body in old.items():  # every sidecar the old feed lists still serves the bytes it did
            assert requests.get(url).content == body
        new_feed = (public / "feed.xml").read_text(encoding="utf-8")
        assert quote(new_vtt) in new_feed and quote(new_vtt) not in old_feed
        assert upload.cache_control(new_vtt) == upload.LONG_CACHE
        assert upload.cache_control("feed.xml") == upload.SHORT_CACHE
        assert upload.publish(show, target).uploaded == []
