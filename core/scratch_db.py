"""Throwaway databases copied from a migrated template, for the benchmark suite
(bench/run.py) and the journey simulation (`manage.py simulate_journey`).

PostgreSQL: the template is a database of its own, migrated once and again only when a
migration was added (a no-op migrate takes about a second); a copy is `CREATE DATABASE
... TEMPLATE`, milliseconds for an empty schema. SQLite: the template is a file,
copied. Nothing here touches the database the app or the tests use.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def with_db(url: str, name: str) -> str:
    """`url` naming database `name` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def sqlite_path(url: str) -> Path:
    """The file of a sqlite:/// URL (four slashes: absolute)."""
    return Path(urlsplit(url).path)


@contextlib.contextmanager
def admin_cursor(url: str):
    """A cursor on the server's `postgres` database, outside any transaction (CREATE
    and DROP DATABASE refuse to run inside one)."""
    import psycopg2

    conn = psycopg2.connect(with_db(url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


def manage(url: str, *args: str, env: dict | None = None) -> None:
    """`manage.py args` against the database at `url`, in a process of its own."""
    # Our own interpreter and manage.py, with arguments this module's callers write.
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**(env or os.environ), "DATABASE_URL": url, "DEBUG": "1"},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def template_ready(base: str, *, env: dict | None = None) -> None:
    """The template database (or file) exists and is migrated."""
    if is_postgres(base):
        name = db_name(base)
        with admin_cursor(base) as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        sqlite_path(base).parent.mkdir(parents=True, exist_ok=True)
    manage(base, "migrate", "--noinput", env=env)


def database_fresh(base: str, suffix: str) -> str:
    """A copy of the template named `<template>_<suffix>`; its URL. A copy left by an
    earlier run of the same name is replaced."""
    if is_postgres(base):
        name = f"{db_name(base)}_{suffix}"
        with admin_cursor(base) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{db_name(base)}"')
        return with_db(base, name)
    source = sqlite_path(base)
    target = source.with_name(f"{source.stem}_{suffix}{source.suffix}")
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def database_drop(url: str) -> None:
    if is_postgres(url):
        with admin_cursor(url) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')
    else:
        sqlite_path(url).unlink(missing_ok=True)
