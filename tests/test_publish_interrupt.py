"""A publish killed between two files leaves the old or the new feed live, enclosures fetchable.

The kill comes from the test-only AUDIOESSAY_TEST_PUBLISH_STOP_AFTER=N (the process exits right
after its N-th upload, as a SIGKILL between files would); a re-run finishes the job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from serve_range import serve
from test_id3 import make_mp3
from test_publish import _show

from audioessay.export.id3 import Tags, write_tags
from audioessay.publish.push import verify
from audioessay.publish.push.upload import STOP_AFTER


def _publish(show: Path, to: Path, stop_after: int = 0) -> subprocess.CompletedProcess:
    env = dict(os.environ, **({STOP_AFTER: str(stop_after)} if stop_after else {}))
    return subprocess.run([sys.executable, "-c", "from audioessay.cli import main; main()", "publish", str(show),
                           "--to", str(to)], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("stop_after", [1, 2, 4])
def test_a_killed_publish_leaves_a_consistent_feed_and_a_rerun_finishes(tmp_path: Path, stop_after: int) -> None:
    public = tmp_path / "public"
    public.mkdir()
    with serve(public) as base:
        show = _show(tmp_path, base)
        assert _publish(show, public).returncode == 0
        old_feed = (public / "feed.xml").read_bytes()
        two = show.parent / "episodes" / "02-bare.mp3"
        make_mp3(two, 3)  # a re-render: 02's MP3, page, the index and the feed change (4 uploads)
        write_tags(two, Tags(title="두 번째", artist="김작가", album="에세이 라디오", episode=4, date="2024-06-01"), [])
        killed = _publish(show, public, stop_after)
        assert killed.returncode == 9, killed.stderr
        live = (public / "feed.xml").read_bytes()
        assert (live == old_feed) == (stop_after < 4)  # the feed is the last of the four
        assert verify.verify(base + "feed.xml") == []
        rerun = _publish(show, public)
        assert rerun.returncode == 0, rerun.stderr
        assert (public / "feed.xml").read_bytes() != old_feed
        assert verify.verify(base + "feed.xml") == []
        assert "uploaded 0 files" in _publish(show, public).stdout
