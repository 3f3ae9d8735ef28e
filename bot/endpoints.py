"""Paths and ports the bot serves: one definition for the server, the docs and the deploy files."""

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
DEFAULT_PORT = 3000
