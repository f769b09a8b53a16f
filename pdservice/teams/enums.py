from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pdservice.core.enums import LabelledEnum


class TeamKind(LabelledEnum):
    GRADE_LEVEL = "grade_level"
    SUBJECT = "subject"
    STUDENT_WELFARE = "student_welfare"
    KIVA = "kiva"
    LEADERSHIP = "leadership"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.GRADE_LEVEL: _l("Grade-level team"),
            cls.SUBJECT: _l("Subject team"),
            cls.STUDENT_WELFARE: _l("Student-welfare group"),
            cls.KIVA: _l("KiVa team"),
            cls.LEADERSHIP: _l("Leadership team"),
            cls.OTHER: _l("Other team"),
        }
