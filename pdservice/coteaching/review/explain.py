"""The solver's structured explanations in the reader's language.

The solver gives each explanation a stable code and the ids and numbers it refers to; this
module words them in Finnish, Swedish or English with the names of people, groups, lessons
and teams. Privacy: an avoided partner is told only to the unit's principals (`private=True`);
anyone else reads a neutral sentence that reveals nobody's wish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from pdservice.core.models import User
from pdservice.coteaching.solving.runs import (
    FAILURE_ERROR,
    FAILURE_INFEASIBLE,
    FAILURE_INVALID,
    FAILURE_NO_PLAN,
    FAILURE_OVERRAN,
    FAILURE_STALE,
    FAILURE_WORKER_DIED,
)
from pdservice.extensions import db
from pdservice.timetable.grid import day_name
from pdservice.timetable.models import Lesson, PeriodSlot, Term


@dataclass
class Names:
    """Solver ids to what people read."""

    people: dict[str, User] = field(default_factory=dict)  # e-mail -> user
    lessons: dict[str, Lesson] = field(default_factory=dict)
    slots: dict[str, PeriodSlot] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)  # "team-<id>" -> name
    subject_limits: set[tuple[str, str | None]] = field(default_factory=set)

    @classmethod
    def for_term(cls, term: Term, subject_limits: list | None = None) -> Names:
        from pdservice.teams.models import Team
        from pdservice.timetable.services import term_lessons, unit_staff

        lessons = term_lessons(term.id)
        people = {u.email: u for u in unit_staff(term.unit_id, active_only=False)}
        for lesson in lessons:
            people.setdefault(lesson.teacher.email, lesson.teacher)
        teams = {
            f"team-{team_id}": name
            for team_id, name in db.session.execute(
                sa.select(Team.id, Team.name).where(Team.unit_id == term.unit_id)
            ).all()
        }
        return cls(
            people=people,
            lessons={lesson.code: lesson for lesson in lessons},
            slots={slot.code: slot for slot in term.slots},
            teams=teams,
            subject_limits={(a, b) for a, b in (subject_limits or [])},
        )

    def person(self, key: str | None) -> str:
        if key is None:
            return "?"
        user = self.people.get(key)
        return user.name if user is not None else key

    def people_list(self, keys: list[str]) -> str:
        return ", ".join(self.person(k) for k in keys)

    def lesson(self, code: str | None) -> str:
        lesson = self.lessons.get(code or "")
        if lesson is None:
            return code or "?"
        first = lesson.slots[0] if lesson.lesson_slots else None
        when = f" ({self.slot_label(first)})" if first is not None else ""
        return f"{lesson.group_codes} {lesson.subject.name}{when}"

    def slot(self, code: str | None) -> str:
        slot = self.slots.get(code or "")
        return self.slot_label(slot) if slot is not None else (code or "?")

    @staticmethod
    def slot_label(slot: PeriodSlot) -> str:
        return _(
            "%(day)s period %(index)d", day=day_name(slot.day, "abbreviated"), index=slot.index
        )

    def team(self, key: str | None) -> str:
        return self.teams.get(key or "", key or "?")


def term_text(term: dict[str, Any], names: Names) -> str:
    """One objective term of a proposal, in words."""
    code, value, data = term.get("code"), term.get("value", 0), term.get("data") or {}
    if code == "support_need":
        groups = data.get("groups") or {}
        return _(
            "Serves groups with support needs: %(groups)s.",
            groups=", ".join(sorted(groups)) or "-",
        )
    if code == "complementarity":
        parts = []
        if data.get("specialist"):
            parts.append(
                _(
                    "%(name)s brings special-needs expertise to the pair.",
                    name=names.person(data["specialist"]),
                )
            )
        for goal in data.get("goals") or []:
            parts.append(
                _(
                    "%(learner)s learns %(goal)s from %(mentor)s.",
                    learner=names.person(goal.get("learner")),
                    goal=goal.get("goal"),
                    mentor=names.person(goal.get("mentor")),
                )
            )
        return " ".join(parts) or _("Their competences complement each other.")
    if code == "wish":
        return _("Wished by %(names)s.", names=names.people_list(data.get("wished_by") or []))
    if code == "continuity":
        return _("They co-taught together last term.")
    if code == "coverage":
        return _(
            "Brings %(names)s into co-teaching.",
            names=names.people_list(data.get("teachers") or []),
        )
    if code == "fairness":
        return _(
            "Spreads co-teaching to groups %(groups)s.", groups=", ".join(data.get("groups") or [])
        )
    shown = f"{value:g}"
    if code == "compact_days":
        return _("Leaves %(value)s new idle periods in a teacher's day.", value=shown)
    if code == "stay":
        return _("Keeps %(value)s hours of the previous plan.", value=shown)
    return str(code)


def term_label(code: str) -> str:
    return {
        "support_need": _("Support need"),
        "complementarity": _("Complementary competences"),
        "wish": _("Wishes"),
        "continuity": _("Continuity"),
        "coverage": _("Staff in co-teaching"),
        "fairness": _("Fairness across groups"),
        "compact_days": _("Compact days"),
        "stay": _("Stays close to the previous plan"),
    }.get(code, code)


def reason_text(reason: dict[str, Any], names: Names, *, private: bool) -> str:
    """Why a wish stays unmet, or a requirement of an infeasible request, in words.

    `private`: the reader may learn avoided partners (the unit's principals only)."""
    code, data = reason.get("code"), reason.get("data") or {}
    person = names.person
    if code == "avoided":
        if not private:
            return _("It is not possible this term.")
        teachers = data.get("teachers") or []
        return _(
            "%(names)s have asked, privately, not to be paired.",
            names=names.people_list(teachers),
        )
    if code == "rejected_pair":
        return _(
            "The principal decided that %(names)s do not form a pair this term.",
            names=names.people_list(data.get("teachers") or []),
        )
    if code in ("not_willing", "host_not_willing"):
        return _("%(name)s does not co-teach this term.", name=person(data.get("teacher")))
    if code == "not_coteaching_profession":
        return _("%(name)s does not teach lessons.", name=person(data.get("teacher")))
    if code == "not_competent":
        if data.get("lesson"):
            return _(
                "%(name)s is not qualified for %(lesson)s.",
                name=person(data.get("teacher")),
                lesson=names.lesson(data.get("lesson")),
            )
        return _("Neither is qualified to co-teach the other's lessons.")
    if code == "no_lessons":
        return _("Neither teaches a lesson the other could join.")
    if code == "no_common_free_slot":
        return _("They are never free when the other teaches a lesson they could join.")
    if code == "own_lesson":
        return _(
            "%(name)s teaches %(lesson)s at %(slot)s.",
            name=person(data.get("teacher")),
            lesson=names.lesson(data.get("lesson")),
            slot=names.slot(data.get("slot")),
        )
    if code == "unavailable":
        return _(
            "%(name)s is not available at %(slot)s.",
            name=person(data.get("teacher")),
            slot=names.slot(data.get("slot")),
        )
    if code == "rejected_lesson":
        key = (data.get("lesson"), data.get("teacher"))
        if key in names.subject_limits:
            if data.get("teacher") is None:
                return _(
                    "%(lesson)s is outside the subjects its teacher wants to co-teach.",
                    lesson=names.lesson(data.get("lesson")),
                )
            return _(
                "%(lesson)s is outside the subjects %(name)s wants to co-teach.",
                lesson=names.lesson(data.get("lesson")),
                name=person(data.get("teacher")),
            )
        return _(
            "The principal rejected co-teaching of %(lesson)s by %(name)s.",
            lesson=names.lesson(data.get("lesson")),
            name=person(data.get("teacher")) if data.get("teacher") else _("anyone"),
        )
    if code == "capacity":
        name = person(data.get("full") or data.get("teacher"))
        if "left" in data:
            return _(
                "%(name)s has %(left)d of %(capacity)d co-teaching hours left, fewer than a "
                "new pair needs.",
                name=name,
                left=data["left"],
                capacity=data.get("capacity", 0),
            )
        return _(
            "%(name)s can co-teach at most %(capacity)d hours a week.",
            name=name,
            capacity=data.get("capacity", 0),
        )
    if code == "min_lessons_unreachable":
        return _(
            "They could share at most %(hours)d hours a week, fewer than the minimum of "
            "%(minimum)d.",
            hours=data.get("hours", 0),
            minimum=data.get("min_lessons", 0),
        )
    if code == "min_lessons":
        return _(
            "A pair shares at least %(minimum)d hours a week (%(names)s).",
            minimum=data.get("min_lessons", 0),
            names=names.people_list(data.get("teachers") or []),
        )
    if code == "max_partners":
        if "partners" in data:
            return _(
                "%(name)s already has %(count)d partners, the most allowed.",
                name=person(data.get("full")),
                count=len(data["partners"]),
            )
        return _(
            "%(name)s may have at most %(count)d co-teaching partners.",
            name=person(data.get("teacher")),
            count=data.get("max_partners", 0),
        )
    if code == "max_coteachers":
        return _(
            "%(lesson)s may have at most %(count)d co-teachers.",
            lesson=names.lesson(data.get("lesson")),
            count=data.get("max_coteachers", 0),
        )
    if code == "lessons_taken":
        return _(
            "The lessons they could share are taken by other co-teaching or meetings "
            "(%(hours)d free hours left).",
            hours=data.get("hours", 0),
        )
    if code == "outweighed":
        return _("The pair was possible, but other choices served more needs.")
    if code == "no_solution":
        return _("No plan was found.")
    if code == "pinned":
        return _(
            "%(name)s is pinned to co-teach %(lesson)s.",
            name=person(data.get("teacher")),
            lesson=names.lesson(data.get("lesson")),
        )
    if code == "pinned_meeting":
        return _(
            "%(team)s is pinned to meet at %(slot)s.",
            team=names.team(data.get("team")),
            slot=names.slot(data.get("slot")),
        )
    if code == "team_meeting":
        return ngettext(
            "%(team)s needs a weekly meeting of %(num)d period with %(members)s.",
            "%(team)s needs a weekly meeting of %(num)d periods with %(members)s.",
            int(data.get("length", 1)),
            team=names.team(data.get("team")),
            members=names.people_list(data.get("members") or []),
        )
    return _("Not possible (%(code)s).", code=code)


def failure_text(code: str | None) -> str:
    return {
        FAILURE_INFEASIBLE: _(
            "The requirements cannot all hold at once. The conflicting ones are listed below."
        ),
        FAILURE_NO_PLAN: _("The search ended without any plan."),
        FAILURE_WORKER_DIED: _("The process solving the run ended unexpectedly."),
        FAILURE_STALE: _("The process solving the run stopped responding."),
        FAILURE_OVERRAN: _("The run went on too long past its time limit."),
        FAILURE_ERROR: _("An error stopped the run."),
        FAILURE_INVALID: _("The timetable or the wishes cannot be solved as they are."),
    }.get(code or "", _("The run failed."))
