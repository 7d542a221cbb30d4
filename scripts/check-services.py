#!/usr/bin/env python3
"""Checks that the services `make test` needs are up: PostgreSQL at DATABASE_URL, Redis at TEST_REDIS_URL.

Run with the project's virtualenv (it uses psycopg2 and redis from requirements.txt). Exits 0 when both
answer; otherwise names what is missing and how to start it, and exits 1. Creates the database named in
DATABASE_URL when the server is up but the database is not there yet (the tests themselves use a
separate test_<name> database that pytest-django creates and drops).
"""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/birzai_vms"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
TIMEOUT_S = 3


def redact(url: str) -> str:
    """The URL with any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}:***@{netloc[1]}"))


def check_postgres(url: str) -> str | None:
    """None when PostgreSQL answers at url (creating the database if needed), else an explanation."""
    try:
        import psycopg2
        from psycopg2 import sql
    except ImportError:
        return "psycopg2 is not installed: run this with .venv/bin/python after `make venv`."
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        return f"DATABASE_URL={redact(url)} is not a PostgreSQL URL; the tests run against PostgreSQL."
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    dbname = unquote(parts.path.lstrip("/")) or "postgres"
    params = {
        "host": host,
        "port": port,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "connect_timeout": TIMEOUT_S,
    }
    start_hint = (
        f"PostgreSQL is not answering at {host}:{port} (DATABASE_URL={redact(url)}).\n"
        "  Start it, e.g. on Debian/Ubuntu:\n"
        "    sudo pg_ctlcluster $(ls /etc/postgresql) main start\n"
        "  or in a container:\n"
        f"    docker run -d --name vms-postgres -p {port}:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16\n"
        "  or point DATABASE_URL at a server you have."
    )
    try:
        psycopg2.connect(dbname=dbname, **params).close()
        return None
    except psycopg2.OperationalError as exc:
        message = str(exc).strip()
    if "does not exist" not in message or f'"{dbname}"' not in message:
        if "Connection refused" in message or "timeout expired" in message or "could not translate" in message:
            return f"{start_hint}\n  ({message.splitlines()[0]})"
        return (
            f"PostgreSQL at {host}:{port} refused the connection (DATABASE_URL={redact(url)}):\n"
            f"  {message.splitlines()[0] if message else 'no reason given'}\n"
            "  Check the user and password in DATABASE_URL and pg_hba.conf (the default expects user "
            "'postgres' with trust authentication on 127.0.0.1)."
        )
    # Server up, database missing: create it so that `manage.py` commands have a database to look at.
    try:
        conn = psycopg2.connect(dbname="postgres", **params)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        conn.close()
        print(f"check-services: created PostgreSQL database {dbname!r} at {host}:{port}.")
        return None
    except psycopg2.Error as exc:
        return (
            f"PostgreSQL at {host}:{port} is up, but database {dbname!r} does not exist and cannot be created:\n"
            f"  {str(exc).strip().splitlines()[0]}\n"
            f"  Create it: createdb -h {host} -p {port} -U {params['user']} {dbname}"
        )


def check_redis(url: str) -> str | None:
    """None when Redis answers PING at url, else an explanation."""
    try:
        import redis
    except ImportError:
        return "redis-py is not installed: run this with .venv/bin/python after `make venv`."
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S)
        client.ping()
        client.close()
        return None
    except redis.AuthenticationError as exc:
        return f"Redis at {host}:{port} refused the credentials in TEST_REDIS_URL={redact(url)}: {exc}"
    except redis.RedisError as exc:
        return (
            f"Redis is not answering at {host}:{port} (TEST_REDIS_URL={redact(url)}): {exc}\n"
            "  Start it, e.g.:\n"
            f"    redis-server --daemonize yes --bind 127.0.0.1 --port {port} --save '' --appendonly no\n"
            "  (Debian/Ubuntu: apt-get install redis-server; or the one in the virtualenv: "
            ".venv/bin/redis-server)\n"
            "  or in a container:\n"
            f"    docker run -d --name vms-redis -p {port}:6379 redis:7\n"
            "  or point TEST_REDIS_URL at a server you have (use a database number the tests may flush)."
        )


def main() -> int:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL
    problems = [p for p in (check_postgres(database_url), check_redis(redis_url)) if p]
    if problems:
        print("\nmake test needs PostgreSQL and Redis running on this machine:\n", file=sys.stderr)
        for problem in problems:
            print(f"MISSING: {problem}\n", file=sys.stderr)
        return 1
    print(f"check-services: PostgreSQL at {redact(database_url)} and Redis at {redact(redis_url)} are up.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
