"""Databases for the store tests: a SQLite file, or a throwaway PostgreSQL cluster.

The PostgreSQL cluster is made with the server's own `initdb` and `pg_ctl` (Debian package
`postgresql`, installed by `make system-deps`) in a temporary folder, listening only on a
Unix socket there, with fsync off; it is stopped and deleted at the end of the test run.
PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user
(via `runuser`). Each test gets its own database in that cluster.

`HEAD` is the newest migration (coach/store/migrations/versions): a migrated store is there.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

HEAD = "0012"  # a new migration moves it


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = [
        p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.parts[4].isdigit()
    ]  # Debian keeps the server off PATH
    return str(max(versions, key=lambda p: int(p.parts[4]))) if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgCluster:
    folder: Path
    port: int
    pg_ctl: str
    prefix: list[str]
    counter: itertools.count

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://coach@/{database}?host={self.folder}&port={self.port}"

    def new_database(self) -> str:
        import psycopg

        name = f"test_{next(self.counter)}"
        with psycopg.connect(
            host=str(self.folder), port=self.port, user="coach", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> tuple[PgCluster | None, str]:
    """A running cluster, or None and the reason there is none."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "needs psycopg (the dev extra) to talk to PostgreSQL"
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        return (
            None,
            "needs PostgreSQL's initdb and pg_ctl (Debian package postgresql; "
            "make system-deps installs it)",
        )
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="form-coach-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            return None, "running as root and there is no 'postgres' user to run PostgreSQL"
        runuser = shutil.which("runuser")
        if runuser is None:
            shutil.rmtree(folder, ignore_errors=True)
            return None, "running as root and runuser is missing to start PostgreSQL as postgres"
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = [runuser, "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"
    steps = [
        [
            *prefix,
            initdb,
            "-D",
            str(data),
            "-U",
            "coach",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ],
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-F -p {port} -k {folder} -c listen_addresses=''",
            "start",
        ],
    ]
    for command in steps:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = folder / "server.log"
            detail = (done.stderr or done.stdout).strip()[-400:]
            if log.exists():
                detail += " | " + log.read_text(errors="replace")[-400:]
            shutil.rmtree(folder, ignore_errors=True)
            return None, f"could not start PostgreSQL ({Path(command[len(prefix)]).name}): {detail}"
    return PgCluster(folder, port, pg_ctl, prefix, itertools.count(1)), ""
