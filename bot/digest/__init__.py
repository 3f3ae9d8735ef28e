"""Scheduled digests: the schedule file, due times, and the loop that posts each slot once."""

from bot.digest.schedule import Schedule, ScheduleError, Schedules, load_schedules
from bot.digest.scheduler import Scheduler, build_scheduler, run_scheduler

__all__ = [
    "Schedule",
    "ScheduleError",
    "Scheduler",
    "Schedules",
    "build_scheduler",
    "load_schedules",
    "run_scheduler",
]
