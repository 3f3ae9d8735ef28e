"""The Slack layer: Bolt app, listeners by kind, HTTP and Socket Mode entry points."""
