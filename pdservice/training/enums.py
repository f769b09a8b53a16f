"""The vocabularies of training, each with a translated label, and the groups of enrolment
states the services ask about."""

from flask_babel import lazy_gettext as _l

from pdservice.core.enums import LabelledEnum


class CourseFormat(LabelledEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ONSITE: _l("On-site"), cls.ONLINE: _l("Online"), cls.HYBRID: _l("Hybrid")}


class SessionStatus(LabelledEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.SCHEDULED: _l("Scheduled"), cls.CANCELLED: _l("Cancelled")}


class EnrollmentStatus(LabelledEnum):
    """The states of an enrolment. `approved` is passed through on the way to booked or
    waitlisted (it appears in the history, never as a resting state)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    PARTLY_ATTENDED = "partly_attended"
    NO_SHOW = "no_show"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.REQUESTED: _l("Waiting for approval"),
            cls.APPROVED: _l("Approved"),
            cls.REJECTED: _l("Not approved"),
            cls.BOOKED: _l("Booked"),
            cls.WAITLISTED: _l("On the waiting list"),
            cls.CANCELLED: _l("Cancelled"),
            cls.ATTENDED: _l("Attended"),
            cls.PARTLY_ATTENDED: _l("Partly attended"),
            cls.NO_SHOW: _l("Did not attend"),
        }


S = EnrollmentStatus
# Enrolments that are over (cancelled or rejected): the person may enrol again.
CLOSED_STATES = frozenset({S.CANCELLED, S.REJECTED})
# States that hold a seat of the session's capacity.
SEAT_STATES = frozenset({S.BOOKED, S.ATTENDED, S.PARTLY_ATTENDED, S.NO_SHOW})
ATTENDANCE_STATES = frozenset({S.ATTENDED, S.PARTLY_ATTENDED, S.NO_SHOW})
ATTENDED_STATES = frozenset({S.ATTENDED, S.PARTLY_ATTENDED})
