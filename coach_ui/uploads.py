"""Video uploads over plain HTTP, streamed straight to disk (the Analyse page).

Streamlit's own upload widget keeps a file's bytes in the server's memory for as long as
its browser session lives, and a session whose tab was closed is dropped without its
uploads being released: a 400 MB upload outlived its user (issue 21). So the Analyse page
uploads with its own component (components/video_upload) to `upload_route` here, which
writes the body to a private folder as it arrives, never holding more than a chunk of it,
and refuses it past the size limit while it streams.

The file waits in the `UploadInbox` until the page that asked for it claims it (by the
upload's random id, as the same user: the uploader is the signed-in user of the session
cookie, or the home user) and moves it into its session's folder; it is deleted when the
analysis is done, and an upload nobody claims is deleted after `UNCLAIMED_TTL_S`. A user has
at most one unclaimed upload: a new one replaces it. The inbox's folder carries the server's
process id, so a server started after a crash deletes what the dead one left
(`coach_ui.analysis.remove_leftover_workdirs`).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from coach.auth.access import LoginPolicy, Principal, current_mode
from coach.auth.tokens import SESSION_COOKIE
from coach.core.errors import CoachError
from coach.store import Store
from coach_ui.analysis import UPLOAD_TYPES, WORKDIR_PREFIX
from coach_ui.launch import max_upload_mb
from coach_ui.signin import same_origin

log = logging.getLogger(__name__)

UNCLAIMED_TTL_S = 15 * 60.0
MB = 1024 * 1024  # as Streamlit counts its own upload limit
NAME_HEADER = "x-file-name"  # the file's own name, percent-encoded (a header is ASCII)
LONGEST_NAME = 255

Uploader = tuple[str, int | None, int | None]  # (kind, clinician id, patient id)


def uploader_of(principal: Principal) -> Uploader:
    """Who an upload belongs to: the same key for the route and for the page's claim."""
    return (principal.kind, principal.clinician_id, principal.patient_id)


class UploadRefusedError(CoachError):
    """An upload the server will not take or hand over: `status` is its HTTP status and
    the message says why in words for the patient."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ReceivedUpload:
    """An upload on disk, waiting to be claimed."""

    id: str
    name: str
    size: int
    digest: str  # SHA-256 of the bytes, hex
    path: Path
    uploader: Uploader
    received_at: float


def checked_name(raw: str | None) -> str:
    """The upload's file name from its header, or UploadRefusedError (415) when it is
    missing, too long or not a video type the page takes."""
    name = unquote(raw or "").strip()
    if not name or len(name) > LONGEST_NAME or "/" in name or "\\" in name:
        raise UploadRefusedError("the upload has no usable file name", 400)
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise UploadRefusedError(
            f"{name!r} is not a video the coach reads: use one of {', '.join(UPLOAD_TYPES)}",
            415,
        )
    return name


class UploadInbox:
    """Uploads received and not yet claimed, as files in one private folder.

    Process-wide by necessity (the route receives, a page's script claims), shared by
    every session but holding nothing of one another's: claiming needs the upload's
    random id and the same uploader. Thread-safe. `clock` is monotonic seconds."""

    def __init__(
        self,
        max_bytes: int,
        folder: Path | None = None,
        unclaimed_ttl_s: float = UNCLAIMED_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self._folder = folder
        self._ttl_s = unclaimed_ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[str, ReceivedUpload] = {}
        self._cleanup: weakref.finalize | None = None

    @property
    def folder(self) -> Path:
        """The inbox's folder: the one given (made if missing), else a private temporary
        one made on first use and deleted when the server exits."""
        with self._lock:
            if self._folder is None:
                prefix = f"{WORKDIR_PREFIX}{os.getpid()}-inbox-"
                self._folder = Path(tempfile.mkdtemp(prefix=prefix))
                self._cleanup = weakref.finalize(
                    self, shutil.rmtree, self._folder, ignore_errors=True
                )
            else:
                self._folder.mkdir(parents=True, exist_ok=True)
            return self._folder

    async def receive(
        self, chunks: AsyncIterator[bytes], name: str, uploader: Uploader
    ) -> ReceivedUpload:
        """Write `chunks` to a new file as they come, up to `max_bytes`.

        Returns the upload, waiting to be claimed; the uploader's earlier unclaimed upload
        is deleted. Raises UploadRefusedError: 413 past the size limit, 400 when empty,
        507 when the disk is full (the partial file is deleted in every case)."""
        upload_id = secrets.token_urlsafe(24)
        path = self.folder / f"{upload_id}{Path(name).suffix.lower()}"
        digest, size = hashlib.sha256(), 0
        try:
            async with await anyio.open_file(path, "xb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise UploadRefusedError(self.too_large(), 413)
                    digest.update(chunk)
                    await out.write(chunk)
            if size == 0:
                raise UploadRefusedError(f"{name!r} is empty", 400)
        except OSError as exc:
            path.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                why = "the server's disk is full"
            else:
                why = f"the server could not store it ({exc.strerror or exc})"
                log.error("upload of %r not stored in %s: %s", name, path.parent, exc)
            raise UploadRefusedError(
                f"{why}: your video was not kept. Please tell your clinic, then try again later.",
                507,
            ) from exc
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        received = ReceivedUpload(
            upload_id, name, size, digest.hexdigest(), path, uploader, self._clock()
        )
        with self._lock:
            stale = self._expired() + [u for u in self._waiting.values() if u.uploader == uploader]
            for old in stale:
                self._drop(old)
            self._waiting[upload_id] = received
        return received

    def claim(self, upload_id: str, uploader: Uploader, into: Path) -> ReceivedUpload:
        """Move the upload `upload_id` into the folder `into`, once, for its own uploader.

        Returns the upload with its new path. Raises UploadRefusedError (404) when there is
        no such upload waiting for this uploader (unknown, claimed, expired, another's)."""
        with self._lock:
            for old in self._expired():
                self._drop(old)
            received = self._waiting.get(upload_id)
            if received is None or received.uploader != uploader:
                raise UploadRefusedError(
                    "that upload is no longer on the server: please upload the video again", 404
                )
            del self._waiting[upload_id]
        target = into / f"upload-{received.digest[:16]}{received.path.suffix}"
        shutil.move(received.path, target)
        return replace(received, path=target)

    def waiting(self) -> int:
        """How many uploads wait to be claimed."""
        with self._lock:
            for old in self._expired():
                self._drop(old)
            return len(self._waiting)

    def too_large(self) -> str:
        return f"the video is larger than the {self.max_bytes // MB} MB this server takes"

    def _expired(self) -> list[ReceivedUpload]:
        now = self._clock()
        return [u for u in self._waiting.values() if now - u.received_at >= self._ttl_s]

    def _drop(self, upload: ReceivedUpload) -> None:
        self._waiting.pop(upload.id, None)
        upload.path.unlink(missing_ok=True)


def app_inbox() -> UploadInbox:
    """The app's one inbox (see UploadInbox), its limit `FORM_COACH_MAX_UPLOAD_MB`.
    Raises CoachError when that setting is wrong."""
    return _inbox(max_upload_mb())


@functools.cache
def _inbox(max_mb: int) -> UploadInbox:
    return UploadInbox(max_mb * MB)


def request_uploader(request: Request, open_store: Callable[[], Store]) -> Uploader | None:
    """Who sends `request`: the home user in home mode, else the user its session cookie
    signs in, or None. Reads the store: not on the event loop."""
    if current_mode() == "home":
        return uploader_of(Principal.home())
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = open_store().login_session(token, datetime.now(UTC), LoginPolicy.from_env())
    return None if found is None else uploader_of(found.principal)


def upload_route(
    inbox: Callable[[], UploadInbox], open_store: Callable[[], Store]
) -> Callable[[Request], Awaitable[Response]]:
    """The POST handler of a video upload: the body is the file, its name in the
    `X-File-Name` header. Answers JSON {id, name, size, digest} (the page claims the
    upload by its id), or a plain-text reason: 403 from another site, 401 signed out,
    411 without a length, 413 too large, 415 not a video type, 507 disk full."""

    async def upload(request: Request) -> Response:
        if not same_origin(request):
            return PlainTextResponse("upload refused: the request was not this site's", 403)
        try:
            target = inbox()
            uploader = await run_in_threadpool(request_uploader, request, open_store)
            if uploader is None:
                raise UploadRefusedError("please sign in again, then upload the video", 401)
            name = checked_name(request.headers.get(NAME_HEADER))
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                raise UploadRefusedError("the upload did not say its size", 411)
            if int(length) > target.max_bytes:
                raise UploadRefusedError(target.too_large(), 413)
            received = await target.receive(request.stream(), name, uploader)
        except UploadRefusedError as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        except CoachError as exc:
            return PlainTextResponse(f"cannot take uploads now: {exc}", status_code=503)
        return JSONResponse(
            {
                "id": received.id,
                "name": received.name,
                "size": received.size,
                "digest": received.digest,
            }
        )

    return upload
