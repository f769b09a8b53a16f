"""Co-teaching and team-meeting solver for pdservice (pure Python on OR-Tools CP-SAT).

Given a school's fixed weekly timetable, `solve` proposes co-teaching pairs, the lessons each
pair teaches together and a weekly meeting slot for every team, explains every proposal and
every unmet wish, and explains an infeasible request by its conflicting requirements. No Flask,
no SQLAlchemy: the app maps its rows to a `Problem` and `Result.to_dict()` back.
"""

from .domain import (
    CLASS_TEACHER,
    SPECIAL_CLASS_TEACHER,
    SPECIAL_NEEDS_TEACHER,
    SUBJECT_TEACHER,
    Group,
    Lesson,
    MeetingPin,
    Pin,
    Problem,
    ProblemError,
    RejectedLesson,
    RejectedPair,
    Slot,
    Teacher,
    Team,
)
from .greedy import greedy
from .jsonio import Request, dump_json, load_json, load_request
from .meetings import COME_IN_PENALTY, TeamSlots, Window, find_team_slots, search_windows
from .parameters import Parameters, Weights
from .reasons import Reason
from .scoring import ScoreAnalysis, analyse
from .solution import Assignment, Meeting, Solution
from .solver import Result, solve
from .synthetic import generate_school
from .validate import Violation, validate
from .xhstt import XhsttError, load_xhstt

__all__ = [
    "CLASS_TEACHER",
    "COME_IN_PENALTY",
    "SPECIAL_CLASS_TEACHER",
    "SPECIAL_NEEDS_TEACHER",
    "SUBJECT_TEACHER",
    "Assignment",
    "Group",
    "Lesson",
    "Meeting",
    "MeetingPin",
    "Parameters",
    "Pin",
    "Problem",
    "ProblemError",
    "Reason",
    "RejectedLesson",
    "RejectedPair",
    "Request",
    "Result",
    "ScoreAnalysis",
    "Slot",
    "Solution",
    "Teacher",
    "Team",
    "TeamSlots",
    "Violation",
    "Weights",
    "Window",
    "XhsttError",
    "analyse",
    "dump_json",
    "find_team_slots",
    "generate_school",
    "greedy",
    "load_json",
    "load_request",
    "load_xhstt",
    "search_windows",
    "solve",
    "validate",
]
