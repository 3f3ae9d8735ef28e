"""Faults injected against the real ``qabot serve``, a child process configured as operators
run it, with the Slack stand-in on the other side."""

# The Slack stand-in of the Slack tests, and the store of the replicas: a SQLite file they
# share, and PostgreSQL where it runs.
from tests.slack.conftest import slack_api  # noqa: F401
from tests.store.conftest import store_url  # noqa: F401
