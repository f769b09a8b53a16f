"""Scheduled jobs, declared by the features that own them.

    from pdservice.jobs.registry import from_config, scheduled_job

    @scheduled_job("training.send_reminders", "interval", minutes=15)
    def send_reminders(): ...

A job runs inside an app context; the runner commits on success, rolls back on error and
records the outcome in `job_heartbeat`. Scheduled jobs run in the one active jobs process;
a job declared with `every_process=True` runs in every jobs process, the standbys too (solve
runs are claimed that way, so workers on several machines share the queue). Modules that
declare jobs are listed in `JOB_MODULES` so that the jobs process, and only it, imports and
schedules them: web workers never start a
scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JOB_MODULES: list[str] = [
    "pdservice.jobs.builtin",
    "pdservice.notifications.jobs",
    "pdservice.training.jobs",
    "pdservice.coteaching.jobs",
    "pdservice.strategy.jobs",
]


@dataclass(frozen=True)
class from_config:  # noqa: N801 - reads as a marker in a decorator call
    """A trigger argument taken from the app's configuration when the scheduler starts."""

    key: str


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[], Any]
    trigger: str
    trigger_args: dict[str, Any] = field(default_factory=dict)
    every_process: bool = False

    def resolved_trigger_args(self, config: dict[str, Any]) -> dict[str, Any]:
        return {
            k: config[v.key] if isinstance(v, from_config) else v
            for k, v in self.trigger_args.items()
        }


JOBS: dict[str, JobSpec] = {}


def scheduled_job(
    job_id: str, trigger: str, *, every_process: bool = False, **trigger_args: Any
) -> Callable:
    def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
        JOBS[job_id] = JobSpec(job_id, func, trigger, trigger_args, every_process)
        return func

    return decorator
