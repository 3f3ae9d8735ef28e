"""Local stand-ins of Slack: real servers on 127.0.0.1 that record what the bot sends."""
