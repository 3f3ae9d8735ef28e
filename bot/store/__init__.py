"""The state store: event claims, reply jobs, posted digests, the query log, votes and kept
questions."""

# Every table module is imported here, so that each table is in the store's metadata by the
# time create_schema runs.
from bot.store.digests import DigestLog, DigestPost
from bot.store.jobs import Job, JobStore
from bot.store.questions import KeptQuestion, QuestionGroup, QuestionKind, QuestionStore
from bot.store.store import LoggedQuery, Store, StoreError
from bot.store.votes import Vote, VoteStore

__all__ = [
    "DigestLog",
    "DigestPost",
    "Job",
    "JobStore",
    "KeptQuestion",
    "LoggedQuery",
    "QuestionGroup",
    "QuestionKind",
    "QuestionStore",
    "Store",
    "StoreError",
    "Vote",
    "VoteStore",
]
