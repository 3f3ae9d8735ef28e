"""Scheduled digests: the schedule file (schedule), due times (due), what is posted (message),
the loop that posts each slot once (scheduler), and the ``qabot digest`` commands (cli).

Import from the modules; this package stays light so the CLI starts quickly.
"""
