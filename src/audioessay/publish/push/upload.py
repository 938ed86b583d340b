"""Publish what `site` builds to a Remote: changed files only, media first, the feed last.

A manifest on the target (.audioessay-publish.json: name -> sha256, size) says what is
there; it is written after the feed, so an interrupted publish re-sends at most what it
had not recorded. Each file goes to a temporary name and is renamed in place where the
store can rename (a folder, SFTP); an S3 PUT is atomic per object."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from audioessay.errors import EngineError, InputError, OutputError
from audioessay.publish import feed
from audioessay.publish.push.remote import Remote
from audioessay.publish.site import build_site, manifest as site_manifest
from audioessay.util.progress import Reporter

MANIFEST = ".audioessay-publish.json"
_HASHED = re.compile(rb"\.[0-9a-f]{12}\.mp3")
_SIDECARS = ("*.vtt", "*.srt", "*.transcript.json", "*.chapters.json")  # what the feed and pages link beside the MP3
_ADDRESSED = re.compile(r"\.[0-9a-f]{12}\.(mp3|vtt|srt|json)$")
FORMAT = 1
MAX_MANIFEST_BYTES = 16 << 20
STOP_AFTER = "AUDIOESSAY_TEST_PUBLISH_STOP_AFTER"  # tests only: the process dies after N uploads

TYPES = {".mp3": "audio/mpeg", ".vtt": "text/vtt", ".srt": "application/x-subrip", ".json": "application/json",
         ".xml": "application/rss+xml", ".html": "text/html; charset=utf-8", ".jpg": "image/jpeg",
         ".jpeg": "image/jpeg", ".png": "image/png", ".css": "text/css", ".js": "text/javascript"}
SHORT_CACHE = "public, max-age=300"  # the feed and pages change with every episode
LONG_CACHE = "public, max-age=31536000, immutable"  # media never changes under its name
_ORDER = {".mp3": 0, ".jpg": 0, ".jpeg": 0, ".png": 0, ".vtt": 1, ".srt": 1, ".json": 1,
          ".css": 2, ".js": 2, ".html": 2}


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int


@dataclass
class Plan:
    """What a publish does: `upload` in order (feed last), `keep` unchanged, `delete` stale."""

    upload: list[str]
    keep: list[str]
    delete: list[str]
    local: dict[str, Entry]
    folder: Path
    remote: dict[str, Entry] = field(default_factory=dict)  # what the target's manifest listed

    @property
    def bytes(self) -> int:
        return sum(self.local[n].size for n in self.upload)


@dataclass
class Result:
    plan: Plan
    uploaded: list[str] = field(default_factory=list)  # in the order written
    deleted: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0


def content_type(name: str) -> str:
    return TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def cache_control(name: str) -> str:
    return LONG_CACHE if _ADDRESSED.search(name) else SHORT_CACHE  # content-addressed media never changes


def order_key(name: str) -> tuple[int, str]:
    """Media, then sidecars, then pages and assets, then the feed (what links comes after what it links to)."""
    if name == "feed.xml":
        return (9, name)
    if name == "index.html":
        return (3, name)
    return (_ORDER.get(os.path.splitext(name)[1].lower(), 2), name)


def read_remote_manifest(remote: Remote) -> dict[str, Entry]:
    """What the target holds by the last publish; {} for a new target. EngineError if unreachable."""
    raw = _fetch(remote, MANIFEST)
    if raw is None:
        _check_bucket(remote)
        return {}
    try:
        doc = json.loads(raw.decode("utf-8"))
        if doc.get("audioessay-publish") != FORMAT:
            raise ValueError("unknown format")
        return {name: Entry(e["sha256"], int(e["size"])) for name, e in doc["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{remote.label}/{MANIFEST}: not a manifest audioessay wrote ({exc}); "
                         "remove it to publish everything again") from None


def _check_bucket(remote: Remote) -> None:
    """A new S3 target's bucket must exist: a missing one is a wrong URL (exit 2), found before
    any upload or dry-run plan, not as a failed write of the first file."""
    if remote.protocol != "s3":
        return
    bucket = remote.root.split("/", 1)[0]
    try:
        remote.fs.info(bucket)
    except FileNotFoundError:
        raise InputError(f"publish target {remote.label}: bucket {bucket} does not exist at this endpoint; "
                         "create it, or fix the bucket name or --endpoint-url") from None
    except PermissionError as exc:
        raise EngineError(f"publish target {remote.label}: refused reading bucket {bucket} ({exc}); "
                          "check the credentials") from None
    except Exception as exc:
        raise EngineError(f"publish target {remote.label}: unreachable ({type(exc).__name__}: {exc}); "
                          "check the URL, --endpoint-url and the network") from None


def _fetch(remote: Remote, name: str) -> bytes | None:
    try:
        return remote.fs.cat_file(remote.path(name))
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        raise EngineError(f"publish target {remote.label}: refused reading {name} ({exc}); check the credentials") from None
    except Exception as exc:  # connection refused, DNS, TLS: each backend raises its own
        raise EngineError(f"publish target {remote.label}: unreachable ({type(exc).__name__}: {exc}); "
                          "check the URL, --endpoint-url and the network") from None


def _digest(path: Path) -> Entry:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return Entry(h.hexdigest(), path.stat().st_size)


def build(show_path: str | Path, remote: Remote, scratch: Path, *, delete: bool = False,
          warn=lambda m: None) -> Plan:
    """Build the site into `scratch` (seeded with the live feed, so guids and dates carry over)
    and compare it with the target's manifest."""
    show = feed.load_show(show_path)
    remote_files = read_remote_manifest(remote)
    live = _fetch(remote, "feed.xml") if "feed.xml" in remote_files else None
    if live is not None:  # the site keeps guids/pubDates from a previous feed it owns
        scratch.mkdir(parents=True, exist_ok=True)
        live = _HASHED.sub(rb".mp3", live)  # enclosure names as the site writes them, so guids match by name
        (scratch / "feed.xml").write_bytes(live)
        st = (scratch / "feed.xml").stat()
        record = site_manifest.Record(hashlib.sha256(live).hexdigest(), st.st_size, st.st_mtime_ns)
        (scratch / site_manifest.MANIFEST).write_text(site_manifest.dump({"feed.xml": record}), encoding="utf-8")
    build_site(show_path, scratch, site_url=show.base_url, warn=warn)
    _content_address(scratch)
    local = {p.name: _digest(p) for p in scratch.iterdir()
             if p.is_file() and p.name not in (site_manifest.MANIFEST, MANIFEST)}
    upload = sorted((n for n, e in local.items() if remote_files.get(n) != e), key=order_key)
    keep = sorted(n for n in local if n not in upload)
    stale = sorted(n for n in remote_files if n not in local) if delete else []
    return Plan(upload, keep, stale, local, scratch, remote_files)


def _content_address(folder: Path) -> None:
    """Name each MP3 after its content (stem.<sha256[:12]>.mp3) and point the feed and pages at
    that name: a re-rendered episode gets a new URL, so no enclosure URL ever serves other bytes
    and a client mid-download keeps the old file. The guid stays (it comes from the show).
    Its transcripts and chapters likewise (stem.<sha256[:12]>.vtt, ...): they are uploaded before
    the feed, so at a fixed name they would change under the live feed's old MP3, whose times they
    no longer match (a publish killed there would leave that feed inconsistent)."""
    renames = {}
    files = sorted({*folder.glob("*.mp3"), *(p for pattern in _SIDECARS for p in folder.glob(pattern))})
    for path in files:
        stem, ext = path.name.rsplit(".", 1)
        named = f"{stem}.{_digest(path).sha256[:12]}.{ext}"
        path.rename(folder / named)
        renames[quote(path.name)] = quote(named)
    if not renames:
        return
    # one pass, whole names only: a plain replace of "s.mp3" would also rewrite "xs.mp3" to s's hash
    names = re.compile(r"(?<![\w.~%-])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True)))
                       + r")(?![\w.~%-])")
    for page in [*folder.glob("*.html"), folder / "feed.xml"]:
        text = page.read_text(encoding="utf-8")
        page.write_text(names.sub(lambda m: renames[m.group(1)], text), encoding="utf-8")


def _put(remote: Remote, local: Path, name: str) -> None:
    final = remote.path(name)
    try:
        if remote.protocol == "s3":  # one PUT is atomic: readers see the old or the new object
            remote.fs.put_file(str(local), final, ContentType=content_type(name), CacheControl=cache_control(name))
        else:
            tmp = remote.path(f".{name}.{os.getpid()}.part")
            remote.fs.put_file(str(local), tmp)
            remote.fs.mv(tmp, final)
    except PermissionError as exc:
        raise OutputError(f"{remote.label}: the store refused writing {name} ({exc})") from None
    except OSError as exc:
        raise OutputError(f"{remote.label}: writing {name} failed ({exc}); run publish again to finish") from None


def execute(plan: Plan, remote: Remote, reporter: Reporter = Reporter()) -> Result:
    """Upload, replace the feed last, delete what is stale, then record the manifest."""
    result = Result(plan)
    started = time.monotonic()
    stop_after = int(os.environ.get(STOP_AFTER, "0") or 0)
    reporter.start(plan.bytes)
    try:
        for name in plan.upload:
            _put(remote, plan.folder / name, name)
            result.uploaded.append(name)
            result.bytes += plan.local[name].size
            reporter.advance(plan.local[name].size)
            if stop_after and len(result.uploaded) >= stop_after:
                os._exit(9)  # a kill between two files, for the interrupt tests
        for name in plan.delete:
            try:
                remote.fs.rm_file(remote.path(name))
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise OutputError(f"{remote.label}: the store refused deleting {name} ({exc})") from None
            result.deleted.append(name)
        if plan.upload or plan.delete:  # what is left on the target stays listed, for a later --delete
            left = {n: e for n, e in plan.remote.items() if n not in plan.local and n not in plan.delete}
            _write_manifest(remote, {**left, **plan.local})
    finally:
        reporter.finish()
    result.seconds = time.monotonic() - started
    return result


def _write_manifest(remote: Remote, local: dict[str, Entry]) -> None:
    doc = {"audioessay-publish": FORMAT,
           "files": {n: {"sha256": e.sha256, "size": e.size} for n, e in sorted(local.items())}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / MANIFEST
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        _put(remote, path, MANIFEST)


def publish(show_path: str | Path, remote: Remote, *, dry_run: bool = False, delete: bool = False,
            reporter: Reporter = Reporter(), warn=lambda m: None) -> Result:
    """Build the show's site in a scratch folder and publish it to `remote` (see the module)."""
    with tempfile.TemporaryDirectory(prefix="audioessay-publish-") as tmp:
        plan = build(show_path, remote, Path(tmp) / "site", delete=delete, warn=warn)
        if dry_run:
            return Result(plan)
        return execute(plan, remote, reporter)
