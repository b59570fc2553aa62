"""A throwaway PostgreSQL cluster (the tests, and `coordo bench`'s two-worker load): initdb in a temp dir,
pg_ctl on a free loopback port, removed afterwards.

No system service: the Debian binaries (``make test`` installs the ``postgresql`` package) are run
directly. initdb refuses to run as root, so as root the cluster belongs to ``nobody``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import CoordoError

USER, PASSWORD = "coordo", "mot-de-passe-de-test"


def bin_dir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise CoordoError("PostgreSQL introuvable (initdb) : installez le paquet Debian postgresql (`make postgresql`).")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    root: Path
    port: int
    bin: Path
    owner: str | None  # the unprivileged user the server runs as (when the tests run as root)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", password: str = PASSWORD, port: int | None = None) -> str:
        return f"postgresql+psycopg://{USER}:{password}@127.0.0.1:{port or self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        kwargs = {"user": self.owner} if self.owner else {}
        return subprocess.run([str(self.bin / args[0]), *args[1:]], check=check, capture_output=True, text=True,
                              cwd=self.root, **kwargs)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={USER} password={PASSWORD} dbname=postgres",
                             autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def create_cluster() -> Cluster:
    owner = None
    if os.geteuid() == 0:
        owner = "nobody"
        pwd.getpwnam(owner)
    root = Path(tempfile.mkdtemp(prefix="coordo-pg-"))
    if owner:
        info = pwd.getpwnam(owner)
        os.chown(root, info.pw_uid, info.pw_gid)
    cluster = Cluster(root, free_port(), bin_dir(), owner)
    pwfile = root / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    if owner:
        os.chown(pwfile, info.pw_uid, info.pw_gid)
    cluster._run("initdb", "-D", str(cluster.data), "-U", USER, "--pwfile", str(pwfile), "--auth-local=trust",
                 "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
    cluster.start()
    return cluster


def destroy_cluster(cluster: Cluster) -> None:
    cluster.stop("immediate")
    shutil.rmtree(cluster.root, ignore_errors=True)
