"""Home-page panels: my next training and suggestions; what waits for my decision."""

from __future__ import annotations

from pdservice.core.models import User
from pdservice.core.services import current_school_year


def teacher_panel(user: User) -> dict:
    from pdservice.competences.services import plan_for
    from pdservice.training.catalogue import my_enrolments, recommendations

    year = current_school_year()
    upcoming, _past = my_enrolments(user)
    active = [m for m in upcoming if m.enrollment.is_active]
    return {
        "upcoming": active[:4],
        "recommended": recommendations(user, year, limit=3),
        "plan": plan_for(user, year),
        "year": year,
    }


def approvals_panel(user: User) -> dict:
    from pdservice.competences.enums import PlanStatus
    from pdservice.competences.services import plans_to_review
    from pdservice.hours.services import pending_external
    from pdservice.training.services import pending_requests

    year = current_school_year()
    requests = pending_requests(user)
    plans = [p for p in plans_to_review(user, year) if p.status == PlanStatus.SUBMITTED]
    external = pending_external(user)
    return {
        "requests": len(requests),
        "plans": len(plans),
        "external": len(external),
        "total": len(requests) + len(plans) + len(external),
    }
