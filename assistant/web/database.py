"""Where the web store lives: an engine for ``COORDO_DATABASE_URL`` (or the embedded SQLite file), and migrations.

Empty URL: SQLite in ``data_dir/coordo.sqlite3`` (WAL, ``synchronous=FULL``; directory 0700, files 0600).
``postgresql+psycopg://user:password@host:port/db``: a PostgreSQL server shared by every web worker.
The schema is brought to the newest Alembic revision at start; a database made before Alembic (the
hand-written SQLite layout) is recognised as revision 0001 and upgraded in place.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..config import mask_url
from ..errors import DatabaseUnavailable

log = logging.getLogger(__name__)
DB_FILE = "coordo.sqlite3"
MIGRATIONS = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"  # the layout written by hand before Alembic
MIGRATION_LOCK = 0x636F6F7264  # PostgreSQL advisory lock keys (any bigint, fixed per purpose)
PURGE_LOCK = 0x636F6F7270
CONNECT_TIMEOUT_S = 5


def describe(url: str, data_dir: Path) -> str:
    """Where the exchanges are kept, in words without the password."""
    return mask_url(url) if url else str(Path(data_dir) / DB_FILE)


def open_engine(url: str, data_dir: Path) -> Engine:
    """An engine for ``url`` (empty: the embedded SQLite file under ``data_dir``).

    Raises:
        DatabaseUnavailable: the URL is not a supported database.
    """
    if not url:
        return _sqlite_engine(Path(data_dir))
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseUnavailable(f"COORDO_DATABASE_URL n'est pas une URL valide ({mask_url(url)}).") from exc
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseUnavailable(
            "COORDO_DATABASE_URL doit être vide (SQLite intégré) ou de la forme "
            "postgresql+psycopg://utilisateur:motdepasse@hôte:port/base."
        )
    if parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(
        parsed, pool_pre_ping=True, pool_size=8, max_overflow=8, pool_timeout=10,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "coordo"},
    )


def _sqlite_engine(data_dir: Path) -> Engine:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)  # questions may hold patient details
    path = data_dir / DB_FILE
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SQLite gives -wal and -shm the same mode
    for file in (path, path.with_name(DB_FILE + "-wal"), path.with_name(DB_FILE + "-shm")):
        if file.exists():
            os.chmod(file, 0o600)  # a database made before this check may be world-readable
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # what the page acknowledged is on disk
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def unavailable(exc: Exception, url: str, data_dir: Path, *, at_start: bool) -> DatabaseUnavailable:
    """One French sentence for a database that cannot be used (never the password, never a query's values)."""
    where = describe(url, data_dir)
    if not url:
        return DatabaseUnavailable(f"Base SQLite inutilisable ({where}) : {type(exc.__cause__ or exc).__name__}.")
    text = str(getattr(exc, "orig", exc)).lower()
    if "password" in text or "authentication" in text or "28p01" in text or "28000" in text:
        return DatabaseUnavailable(
            f"PostgreSQL refuse les identifiants de COORDO_DATABASE_URL ({where}) : vérifiez l'utilisateur et le mot "
            "de passe."
        )
    if "does not exist" in text:
        return DatabaseUnavailable(f"La base PostgreSQL demandée n'existe pas ({where}) : créez-la (createdb).")
    if at_start:
        return DatabaseUnavailable(
            f"Serveur PostgreSQL injoignable ({where}) : démarrez-le ou corrigez COORDO_DATABASE_URL."
        )
    return DatabaseUnavailable(
        "La base des échanges est momentanément injoignable : rien n'a été enregistré. Réessayez dans un instant."
    )


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest revision; returns it. Safe when several workers start at once."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:  # one worker migrates, the others wait, then find nothing to do
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            tables = set(sa.inspect(connection).get_table_names())
            if "exchanges" in tables and "alembic_version" not in tables:
                log.info("Database made before migrations: stamped at revision %s, then upgraded", FIRST_REVISION)
                command.stamp(config, FIRST_REVISION)
                connection.commit()
            command.upgrade(config, "head")
            connection.commit()
            revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        finally:
            if postgres:
                connection.rollback()
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    return revision
