"""A real store for the feedback tests: SQLite, and PostgreSQL when one is configured."""

from tests.store.conftest import store, store_url  # noqa: F401 (the SQLite + PostgreSQL fixtures)
