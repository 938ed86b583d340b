"""The publishing target: an fsspec filesystem and a root path opened from a URL.

s3://bucket/prefix (any S3-compatible store), sftp://user@host/path, or a local folder.
Errors map to the project's exit codes: a bad URL 2, an unreachable store 3, a refused write 5."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from audioessay.errors import EngineError, InputError

_EXTRAS = {"s3": "s3", "sftp": "sftp"}


@dataclass(frozen=True)
class Remote:
    fs: Any  # an fsspec AbstractFileSystem
    root: str  # the target folder inside fs, no trailing slash
    protocol: str  # "file", "s3", "sftp", ...
    label: str  # the URL without any password, safe to print

    def path(self, name: str) -> str:
        return f"{self.root}/{name}" if self.root else name


def safe_label(url: str) -> str:
    """`url` without a password (user:secret@host -> user@host)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = (parts.username or "") + "@" + (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def _known_hosts(label: str) -> str:
    """~/.ssh/known_hosts, which must exist: sshfs would otherwise accept any host key (known_hosts=None)."""
    path = os.path.expanduser("~/.ssh/known_hosts")
    if not os.path.isfile(path):
        raise InputError(f"publish target {label}: {path} does not exist, so the server cannot be verified; "
                         "connect once with ssh (or use ssh-keyscan) and check its fingerprint")
    return path


def open_remote(url: str, endpoint_url: str | None = None) -> Remote:
    """The filesystem for `url`; InputError for a URL no backend serves or whose extra is missing."""
    import fsspec

    label = safe_label(url)
    scheme = urlsplit(url).scheme if "://" in url else "file"
    if scheme == "file":
        root = os.path.abspath(url.removeprefix("file://"))
        return Remote(fsspec.filesystem("file", auto_mkdir=True), root.rstrip("/") or "/", "file", label)
    options: dict[str, Any] = {}
    if scheme == "s3":
        endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            options["endpoint_url"] = endpoint
    if scheme in ("sftp", "ssh"):  # both are sshfs
        if not urlsplit(url).hostname:
            raise InputError(f"publish target {label}: names no host; use sftp://user@host/path")
        options["known_hosts"] = _known_hosts(label)
    try:
        fs, root = fsspec.core.url_to_fs(url, **options)
    except ValueError as exc:  # unknown protocol
        raise InputError(f"publish target {label}: {exc}; use s3://bucket/prefix, sftp://user@host/path "
                         "or a folder") from None
    except ImportError as exc:
        extra = _EXTRAS.get(scheme, scheme)
        raise InputError(f"publish target {label}: needs {exc.name or 'a backend'}; "
                         f"pip install 'audioessay[{extra}]'") from None
    except OSError as exc:  # sftp connects here
        raise EngineError(f"publish target {label}: cannot connect ({exc}); check the host, port and keys") from None
    except Exception as exc:
        if type(exc).__name__ != "HostKeyNotVerifiable":  # asyncssh's, not an OSError
            raise
        raise EngineError(f"publish target {label}: ~/.ssh/known_hosts does not list this server's host key "
                          f"({exc}); check its fingerprint, then add it (ssh-keyscan)") from None
    if scheme == "s3" and (not urlsplit(url).netloc or not root.strip("/")):  # s3:///x would make x the bucket
        raise InputError(f"publish target {label}: names no bucket; use s3://bucket/prefix")
    return Remote(fs, root.rstrip("/"), scheme, label)
