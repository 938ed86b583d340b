"""`audioessay publish` to a folder served over HTTP, moto S3 and SFTP: incremental, feed last."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import podcastparser
import pytest
import requests
from click.testing import CliRunner
from publish_servers import free_port, moto_s3
from serve_range import serve
from test_id3 import make_mp3
from test_site import make_show

from audioessay.export.id3 import Tags, write_tags

from audioessay.cli import cli
from audioessay.publish.push import remote, upload, verify
from audioessay.publish.push.upload import MANIFEST


def _show(tmp_path: Path, base_url: str) -> Path:
    show = make_show(tmp_path / "src")
    text = show.read_text(encoding="utf-8").replace("https://cdn.example.com/podcast/", base_url)
    show.write_text(text, encoding="utf-8")
    return show


def test_folder_publish_is_incremental_feed_last_and_verifies(tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        show = _show(tmp_path, base)
        target = remote.open_remote(str(public))
        first = upload.publish(show, target)
        assert first.uploaded[-1] == "feed.xml" and first.uploaded[0].endswith(".mp3")
        assert (public / MANIFEST).is_file() and not list(public.glob(".*.part"))
        assert verify.verify(base + "feed.xml") == []
        parsed = podcastparser.parse(base + "feed.xml", io.BytesIO(requests.get(base + "feed.xml").content))
        assert len(parsed["episodes"]) == 2
        again = upload.publish(show, target)
        assert again.uploaded == [] and again.bytes == 0
        # a re-render of one episode: only its MP3, its page, the index and the feed, the feed last
        two = show.parent / "episodes" / "02-bare.mp3"
        make_mp3(two, 3)
        write_tags(two, Tags(title="두 번째", artist="김작가", album="에세이 라디오", episode=4, date="2024-06-01"), [])
        edit = upload.publish(show, target)
        assert edit.uploaded[1:] == ["02-bare.html", "index.html", "feed.xml"]
        new_mp3 = edit.uploaded[0]
        assert new_mp3.startswith("02-bare.") and new_mp3.endswith(".mp3") and new_mp3 not in first.uploaded
        assert new_mp3 in (public / "feed.xml").read_text(encoding="utf-8")
        assert verify.verify(base + "feed.xml") == []


def test_a_bad_target_url_is_exit_2_and_an_unreachable_store_exit_3(tmp_path: Path) -> None:
    show = _show(tmp_path, "https://cdn.example.com/podcast/")
    runner = CliRunner()
    bad = runner.invoke(cli, ["publish", str(show), "--to", "nosuch://x/y"])
    assert bad.exit_code == 2, bad.output
    assert runner.invoke(cli, ["publish", str(show)]).exit_code == 2  # no target anywhere
    port = free_port()  # nothing listens there
    down = runner.invoke(cli, ["publish", str(show), "--to", "s3://podcast/show",
                               "--endpoint-url", f"http://127.0.0.1:{port}"])
    assert down.exit_code == 3, down.output


def test_s3_publish_with_headers_and_verify(tmp_path: Path) -> None:
    with moto_s3() as endpoint:
        show = _show(tmp_path, f"{endpoint}/podcast/show/")
        runner = CliRunner()
        result = runner.invoke(cli, ["publish", str(show), "--to", "s3://podcast/show", "--endpoint-url", endpoint,
                                     "--verify"])
        assert result.exit_code == 0, result.output
        assert "uploaded" in result.output and "verified" in result.output
        head = requests.head(f"{endpoint}/podcast/show/feed.xml")
        assert head.headers["Content-Type"] == "application/rss+xml"
        assert head.headers["Cache-Control"] == upload.SHORT_CACHE
        (name,) = [n for n in json.loads(requests.get(f"{endpoint}/podcast/show/{MANIFEST}").content)["files"]
                   if n.startswith("02-bare.") and n.endswith(".mp3")]
        mp3 = requests.head(f"{endpoint}/podcast/show/{name}")
        assert mp3.headers["Content-Type"] == "audio/mpeg" and mp3.headers["Cache-Control"] == upload.LONG_CACHE
        with show.open("a", encoding="utf-8") as f:  # the target set once in the show file
            f.write(f"publish: {{to: 's3://podcast/show', endpoint_url: '{endpoint}'}}\n")
        again = runner.invoke(cli, ["publish", str(show)])
        assert again.exit_code == 0 and "uploaded 0 files, 0.0 MB" in again.output, again.output
        dry = runner.invoke(cli, ["publish", str(show), "--to", "s3://podcast/show", "--endpoint-url", endpoint,
                                  "--dry-run"])
        assert "would upload 0 files" in dry.output


def test_delete_removes_what_the_show_no_longer_has_after_the_feed(tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        show = _show(tmp_path, base)
        target = remote.open_remote(str(public))
        upload.publish(show, target)
        old_mp3 = next(p.name for p in public.glob("02-bare.*.mp3"))
        make_mp3(show.parent / "episodes" / "02-bare.mp3", 3)
        kept = upload.publish(show, target)  # without --delete the old MP3 stays
        assert (public / old_mp3).is_file() and kept.deleted == []
        dry = upload.publish(show, target, dry_run=True, delete=True)
        assert dry.plan.delete == [old_mp3] and (public / old_mp3).is_file()
        done = upload.publish(show, target, delete=True)
        assert done.deleted == [old_mp3] and not (public / old_mp3).exists()
        assert old_mp3 not in (public / "feed.xml").read_text(encoding="utf-8")
        assert verify.verify(base + "feed.xml") == []


def test_sftp_publish_renames_into_place(tmp_path: Path) -> None:
    from publish_servers import sftp_server
    from sshfs import SSHFileSystem

    root, keys = tmp_path / "sftp-root", tmp_path / "keys"
    root.mkdir()
    keys.mkdir()
    with sftp_server(root, keys) as port, serve(root / "show") as base:
        show = _show(tmp_path, base)
        fs = SSHFileSystem("127.0.0.1", port=port, username="writer", client_keys=[str(keys / "client")],
                           known_hosts=None)
        target = remote.Remote(fs, "/show", "sftp", f"sftp://writer@127.0.0.1:{port}/show")
        fs.makedirs("/show", exist_ok=True)
        first = upload.publish(show, target)
        assert first.uploaded[-1] == "feed.xml" and not list((root / "show").glob(".*.part"))
        assert verify.verify(base + "feed.xml") == []
        assert upload.publish(show, target).uploaded == []


def test_a_guid_already_published_survives_republishing(tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        show = _show(tmp_path, base)
        target = remote.open_remote(str(public))
        upload.publish(show, target)
        feed = public / "feed.xml"
        # a guid the live feed carries (e.g. from an earlier host) is the episode's from now on
        (guid,) = [g for g in re.findall(r"<guid[^>]*>([^<]+)</guid>", feed.read_text(encoding="utf-8"))
                   if g != "guid-one"]
        feed.write_text(feed.read_text(encoding="utf-8").replace(guid, "kept-guid"), encoding="utf-8")
        make_mp3(show.parent / "episodes" / "02-bare.mp3", 3)
        upload.publish(show, target)
        assert "kept-guid" in feed.read_text(encoding="utf-8")
