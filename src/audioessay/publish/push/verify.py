"""Check a published feed as podcast apps fetch it: parse it, then HEAD and Range each enclosure.

Problems come back one line each; the CLI exits 1 if there are any."""

from __future__ import annotations

import re

from audioessay.errors import InputError

_RANGE = re.compile(r"^bytes 0-1/(\d+)$")


def verify(feed_url: str, timeout: float = 20.0) -> list[str]:
    """Every problem found with the feed at `feed_url` and its enclosures ([] when all is well)."""
    try:
        import podcastparser
        import requests
    except ImportError as exc:
        raise InputError(f"--verify needs {exc.name}: pip install podcastparser requests") from None
    try:
        response = requests.get(feed_url, timeout=timeout)
    except requests.RequestException as exc:
        return [f"{feed_url}: cannot be fetched ({type(exc).__name__})"]
    if response.status_code != 200:
        return [f"{feed_url}: HTTP {response.status_code}, expected 200"]
    import io
    try:
        parsed = podcastparser.parse(feed_url, io.BytesIO(response.content))
    except Exception as exc:  # podcastparser raises its own FeedParseError, or SAX errors
        return [f"{feed_url}: podcastparser cannot read the feed ({exc})"]
    problems = []
    for episode in parsed.get("episodes", []):
        for enclosure in episode.get("enclosures", []):
            problems += _check_enclosure(requests, enclosure["url"], int(enclosure.get("file_size") or -1), timeout)
    if not parsed.get("episodes"):
        problems.append(f"{feed_url}: lists no episodes")
    return problems


def _check_enclosure(requests, url: str, length: int, timeout: float) -> list[str]:
    try:
        head = requests.head(url, timeout=timeout, allow_redirects=True)
        part = requests.get(url, headers={"Range": "bytes=0-1"}, timeout=timeout)
    except requests.RequestException as exc:
        return [f"{url}: cannot be fetched ({type(exc).__name__})"]
    problems = []
    if head.status_code != 200:
        problems.append(f"{url}: HEAD answered {head.status_code}, expected 200")
    elif head.headers.get("Content-Length") != str(length):
        problems.append(f"{url}: Content-Length {head.headers.get('Content-Length')}, the feed says {length}")
    if part.status_code != 206:
        problems.append(f"{url}: Range bytes=0-1 answered {part.status_code}, expected 206 (apps cannot seek)")
    else:
        m = _RANGE.match(part.headers.get("Content-Range", ""))
        if m is None or int(m.group(1)) != length:
            problems.append(f"{url}: Content-Range {part.headers.get('Content-Range')!r}, expected 'bytes 0-1/{length}'")
    return problems
