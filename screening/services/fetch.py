"""Downloading list files: conditional requests, timeouts, retries with backoff, checksums.

Uses the standard library only (``urllib``): one GET per file, ``If-None-Match`` /
``If-Modified-Since`` from the source's last successful download, a timeout on every request,
and retries with exponential backoff on transient failures (connection errors, timeouts, 5xx,
429). Tests replace ``urlopen`` (the network boundary).
"""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

USER_AGENT = "Tillit watchlist sync (+https://github.com/tillit)"
TRANSIENT_STATUS = {429, 500, 502, 503, 504}
MAX_BYTES = 512 * 1024 * 1024

urlopen = urllib.request.urlopen  # the network boundary (patched in tests)
sleep = time.sleep


class FetchError(Exception):
    """A download failed (after retries for transient errors)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass
class Fetched:
    not_modified: bool
    etag: str = ""
    last_modified: str = ""


def fetch(
    url: str,
    target: Path,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 2.0,
) -> Fetched:
    """Download ``url`` to ``target`` unless the server says it has not changed."""
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{url}: only http(s) URLs are fetched", transient=False)
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    attempt = 0
    while True:
        attempt += 1
        try:
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
            with urlopen(request, timeout=timeout) as response:
                length = int(response.headers.get("Content-Length") or 0)
                if length > MAX_BYTES:
                    raise FetchError(f"{url}: {length} bytes is more than the {MAX_BYTES} allowed", transient=False)
                with target.open("wb") as out:
                    shutil.copyfileobj(response, out, 1 << 20)
                return Fetched(
                    not_modified=False,
                    etag=response.headers.get("ETag", "") or "",
                    last_modified=response.headers.get("Last-Modified", "") or "",
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
            transient = exc.code in TRANSIENT_STATUS
            error = FetchError(f"{url}: HTTP {exc.code}", transient=transient)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            error = FetchError(f"{url}: {reason}", transient=True)
        if not error.transient or attempt > retries:
            raise error
        sleep(backoff ** (attempt - 1))
