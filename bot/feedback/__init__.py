"""Learning from use: votes on answers, the questions kept for maintainers, and the report.

Nothing here knows Slack: the Slack layer hands in who voted on which answer and what was
asked, and reads the queue; ``qabot report`` reads the same store.
"""
