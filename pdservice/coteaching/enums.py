"""The vocabularies of co-teaching, each with a translated label."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pdservice.core.enums import LabelledEnum


class PartnerKind(LabelledEnum):
    WISH = "wish"
    AVOID = "avoid"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.WISH: _l("Would like to co-teach with"), cls.AVOID: _l("Would rather not")}


class RunStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.QUEUED: _l("Waiting to start"),
            cls.RUNNING: _l("Running"),
            cls.FINISHED: _l("Finished"),
            cls.STOPPED: _l("Stopped (best plan kept)"),
            cls.FAILED: _l("Failed"),
        }

    @property
    def active(self) -> bool:
        return self in ACTIVE_RUN_STATUSES

    @property
    def has_plan(self) -> bool:
        return self in (RunStatus.FINISHED, RunStatus.STOPPED)


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class DecisionState(LabelledEnum):
    """A principal's decision on one co-teaching lesson (a lesson and a co-teacher)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # No decision any more, but still in the published timetable until the next publish.
    OPEN = "open"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ACCEPTED: _l("Accepted"),
            cls.REJECTED: _l("Rejected"),
            cls.OPEN: _l("Leaves at the next publish"),
        }


class Answer(LabelledEnum):
    ACCEPT = "accept"
    DECLINE = "decline"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ACCEPT: _l("Accepted"), cls.DECLINE: _l("Declined")}
