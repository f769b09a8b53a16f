"""Imports every model module so SQLAlchemy and Alembic know the whole schema."""

from pdservice.calendar.models import CalendarFeed  # noqa: F401
from pdservice.competences.models import (  # noqa: F401
    CompetenceAssessment,
    DevelopmentGoal,
    DevelopmentPlan,
)
from pdservice.core.models import (  # noqa: F401
    AuditLog,
    CompetenceArea,
    LoginAttempt,
    SchoolYear,
    Unit,
    UnitMembership,
    User,
)
from pdservice.coteaching.models import (  # noqa: F401
    CoTeachingAssignment,
    CoTeachingPreference,
    MeetingProposal,
    PlanningEntry,
    PreferencePartner,
    PreferenceSubject,
    Proposal,
    ProposalLesson,
    ProposalResponse,
    RejectedPair,
    SolveProgress,
    SolveRun,
)
from pdservice.hours.models import DevelopmentHours, ExternalTraining  # noqa: F401
from pdservice.jobs.models import JobHeartbeat, JobLock  # noqa: F401
from pdservice.notifications.models import Notification, NotificationPreference  # noqa: F401
from pdservice.oidc.models import IdentityLink  # noqa: F401
from pdservice.scim.models import ScimGroup, ScimGroupMember, ScimToken, ScimUser  # noqa: F401
from pdservice.strategy.models import IndicatorSnapshot, IndicatorTarget  # noqa: F401
from pdservice.teams.models import Team, TeamMeeting, TeamMember  # noqa: F401
from pdservice.timetable.models import (  # noqa: F401
    Group,
    Lesson,
    LessonSlot,
    PeriodSlot,
    Subject,
    Term,
    TimetableEvent,
    TimetableEventSlot,
    Unavailability,
)
from pdservice.training.models import (  # noqa: F401
    Course,
    CourseAudience,
    CourseSession,
    Enrollment,
    EnrollmentEvent,
    SessionDate,
    TrainingFeedback,
)
