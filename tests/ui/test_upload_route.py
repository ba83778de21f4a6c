"""The video upload route and its inbox (coach_ui/uploads.py), issue 21: an upload held by
Streamlit's upload widget stayed in the server's memory after sign-out and browser close.
Uploads now stream to disk, are capped while they stream, belong to the signed-in user, and
wait for their page no longer than `UNCLAIMED_TTL_S`."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import anyio
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coach.auth.access import Principal
from coach_ui import routes, uploads
from tests.support.uploads import chunks_of

HOME = uploads.uploader_of(Principal.home())


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def inbox(tmp_path) -> uploads.UploadInbox:
    return uploads.UploadInbox(max_bytes=4 * uploads.MB, folder=tmp_path / "inbox")


def client_for(inbox: uploads.UploadInbox, store) -> TestClient:
    app = Starlette(routes=routes.routes(open_store=lambda: store, upload_inbox=lambda: inbox))
    return TestClient(app)


@pytest.fixture
def client(inbox, store) -> TestClient:
    return client_for(inbox, store)


def post(client: TestClient, data: bytes, name: str = "my squats.mp4", **headers: str):
    sent = {"X-File-Name": quote(name), **headers}
    return client.post(routes.UPLOAD_PATH, content=data, headers=sent)


def test_an_upload_is_written_to_disk_and_answered_with_its_id(client, inbox):
    data = b"\x00video bytes\xff" * 1000
    answer = post(client, data, name="My Squats (1).MOV")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["name"] == "My Squats (1).MOV" and body["size"] == len(data)
    assert body["digest"] == hashlib.sha256(data).hexdigest()
    into = inbox.folder.parent / "session"
    into.mkdir()
    claimed = inbox.claim(body["id"], HOME, into)
    assert claimed.path.parent == into and claimed.path.suffix == ".mov"
    assert claimed.path.read_bytes() == data
    assert list(inbox.folder.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "status"),
    [("holiday.exe", 415), ("no suffix", 415), ("", 400), ("../../etc/passwd.mp4", 400)],
)
def test_a_name_that_is_not_a_video_file_is_refused(client, inbox, name, status):
    answer = post(client, b"data", name=name)
    assert answer.status_code == status, answer.text
    assert list(inbox.folder.iterdir()) == []


def test_a_video_over_the_limit_is_refused_before_a_byte_is_written(client, inbox):
    answer = post(client, b"x" * (4 * uploads.MB + 1))
    assert answer.status_code == 413 and "4 MB" in answer.text
    assert list(inbox.folder.iterdir()) == []


def test_an_upload_that_does_not_say_its_size_is_refused(client, inbox):
    def body() -> Iterator[bytes]:
        yield b"chunked, no length"

    answer = client.post(routes.UPLOAD_PATH, content=body(), headers={"X-File-Name": "clip.mp4"})
    assert answer.status_code == 411
    assert list(inbox.folder.iterdir()) == []


def test_a_body_longer_than_the_limit_is_cut_off_while_it_streams(inbox):
    async def scenario() -> None:
        await inbox.receive(chunks_of(b"x" * (5 * uploads.MB)), "clip.mp4", HOME)

    with pytest.raises(uploads.UploadRefusedError) as refused:
        asyncio.run(scenario())
    assert refused.value.status == 413
    assert list(inbox.folder.iterdir()) == []


def test_a_full_disk_is_said_plainly_and_leaves_no_partial_file(inbox, monkeypatch):
    real_open = anyio.open_file

    async def full_disk(path, mode="r", *args, **kwargs):
        Path(path).touch()  # the file exists, as a real partial upload's would
        return await real_open("/dev/full", "wb")

    monkeypatch.setattr(anyio, "open_file", full_disk)
    with pytest.raises(uploads.UploadRefusedError) as refused:
        asyncio.run(inbox.receive(chunks_of(b"x" * 200_000), "clip.mp4", HOME))
    assert refused.value.status == 507 and "disk is full" in str(refused.value)
    assert list(inbox.folder.iterdir()) == []


def test_another_site_cannot_upload(client, inbox):
    answer = post(client, b"data", Origin="https://elsewhere.example")
    assert answer.status_code == 403
    assert list(inbox.folder.iterdir()) == []


def test_in_clinic_mode_only_a_signed_in_user_can_upload_and_only_they_can_claim(
    clinic, store, inbox
):
    client = client_for(inbox, store)
    assert post(client, b"data").status_code == 401
    signed_in = client.post(
        routes.SIGN_IN_PATH,
        data={"username": "ana.p", "password": "ana's long password", "next": "/"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    answer = post(client, b"ana's video")
    assert answer.status_code == 200, answer.text
    ana = uploads.uploader_of(
        Principal("patient", "Ana Patient", patient_id=clinic["ana"].patient_id)
    )
    ben = uploads.uploader_of(
        Principal("patient", "Ben Patient", patient_id=clinic["ben"].patient_id)
    )
    into = inbox.folder.parent / "session"
    into.mkdir()
    with pytest.raises(uploads.UploadRefusedError):
        inbox.claim(answer.json()["id"], ben, into)
    assert inbox.claim(answer.json()["id"], ana, into).path.read_bytes() == b"ana's video"
    with pytest.raises(uploads.UploadRefusedError):  # once only
        inbox.claim(answer.json()["id"], ana, into)


def test_an_unclaimed_upload_is_deleted_after_its_time_and_a_new_one_replaces_it(tmp_path):
    clock = Clock()
    inbox = uploads.UploadInbox(4 * uploads.MB, tmp_path / "inbox", unclaimed_ttl_s=60, clock=clock)
    first = asyncio.run(inbox.receive(chunks_of(b"first"), "a.mp4", HOME))
    second = asyncio.run(inbox.receive(chunks_of(b"second"), "b.mp4", HOME))
    assert not first.path.exists() and second.path.exists()  # one unclaimed upload each
    other = asyncio.run(inbox.receive(chunks_of(b"other"), "c.mp4", ("patient", None, 7)))
    assert inbox.waiting() == 2
    clock.now = 61
    assert inbox.waiting() == 0
    assert not second.path.exists() and not other.path.exists()


def test_an_upload_streams_to_disk_without_being_held_in_memory(inbox):
    """The route holds a chunk at a time: tracing the server's allocations while a 32 MB
    body streams in stays far below the body's size (Streamlit's widget held all of it)."""
    inbox = uploads.UploadInbox(64 * uploads.MB, inbox.folder)
    size, chunk = 32 * uploads.MB, b"v" * (256 * 1024)

    async def body():
        for _ in range(size // len(chunk)):
            yield chunk

    tracemalloc.start()
    try:
        received = asyncio.run(inbox.receive(body(), "long.mp4", HOME))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received.size == size and received.path.stat().st_size == size
    assert peak < size // 8, f"peak {peak} bytes traced for a {size}-byte upload"


def test_a_read_only_disk_is_said_with_its_reason_and_logged(inbox, monkeypatch, caplog):
    async def read_only(path, mode="r", *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(anyio, "open_file", read_only)
    with pytest.raises(uploads.UploadRefusedError) as refused:
        asyncio.run(inbox.receive(chunks_of(b"x"), "clip.mp4", HOME))
    assert refused.value.status == 507 and "Read-only file system" in str(refused.value)
    assert "not stored" in caplog.text
