"""The fixed vocabularies of the domain, each with a translated label."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class LabelledEnum(StrEnum):
    """A string enum whose members carry a translated, human-readable label."""

    @property
    def label(self) -> str:
        return str(self._labels()[self])

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class UnitKind(LabelledEnum):
    COMPREHENSIVE_SCHOOL = "comprehensive_school"
    UPPER_SECONDARY_SCHOOL = "upper_secondary_school"
    DAYCARE_CENTRE = "daycare_centre"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.COMPREHENSIVE_SCHOOL: _l("Comprehensive school"),
            cls.UPPER_SECONDARY_SCHOOL: _l("Upper-secondary school"),
            cls.DAYCARE_CENTRE: _l("Day-care centre"),
        }


class Language(LabelledEnum):
    FI = "fi"
    SV = "sv"
    EN = "en"

    @classmethod
    def _labels(cls) -> dict:
        # Each language is named in itself, so a reader finds their own.
        return {cls.FI: "suomi", cls.SV: "svenska", cls.EN: "English"}


UNIT_LANGUAGES = (Language.FI, Language.SV)


class Profession(LabelledEnum):
    CLASS_TEACHER = "class_teacher"
    SUBJECT_TEACHER = "subject_teacher"
    SPECIAL_NEEDS_TEACHER = "special_needs_teacher"
    SPECIAL_CLASS_TEACHER = "special_class_teacher"
    GUIDANCE_COUNSELLOR = "guidance_counsellor"
    SCHOOL_ASSISTANT = "school_assistant"
    PSYCHOLOGIST = "psychologist"
    SCHOOL_SOCIAL_WORKER = "school_social_worker"
    NURSE = "nurse"
    PRINCIPAL = "principal"
    VICE_PRINCIPAL = "vice_principal"
    ECEC_TEACHER = "ecec_teacher"
    SPECIAL_ECEC_TEACHER = "special_ecec_teacher"
    CHILDMINDER = "childminder"
    HR_SPECIALIST = "hr_specialist"
    ADMINISTRATOR = "administrator"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.CLASS_TEACHER: _l("Class teacher"),
            cls.SUBJECT_TEACHER: _l("Subject teacher"),
            cls.SPECIAL_NEEDS_TEACHER: _l("Special-needs teacher"),
            cls.SPECIAL_CLASS_TEACHER: _l("Special-class teacher"),
            cls.GUIDANCE_COUNSELLOR: _l("Guidance counsellor"),
            cls.SCHOOL_ASSISTANT: _l("School assistant"),
            cls.PSYCHOLOGIST: _l("Psychologist"),
            cls.SCHOOL_SOCIAL_WORKER: _l("School social worker"),
            cls.NURSE: _l("School nurse"),
            cls.PRINCIPAL: _l("Principal"),
            cls.VICE_PRINCIPAL: _l("Vice principal"),
            cls.ECEC_TEACHER: _l("ECEC teacher"),
            cls.SPECIAL_ECEC_TEACHER: _l("Special ECEC teacher"),
            cls.CHILDMINDER: _l("Childminder"),
            cls.HR_SPECIALIST: _l("HR specialist"),
            cls.ADMINISTRATOR: _l("Administrator"),
            cls.OTHER: _l("Other"),
        }


# Professions that teach lessons and can therefore co-teach.
TEACHING_PROFESSIONS = frozenset(
    {
        Profession.CLASS_TEACHER,
        Profession.SUBJECT_TEACHER,
        Profession.SPECIAL_NEEDS_TEACHER,
        Profession.SPECIAL_CLASS_TEACHER,
        Profession.GUIDANCE_COUNSELLOR,
        Profession.PRINCIPAL,
        Profession.VICE_PRINCIPAL,
        Profession.ECEC_TEACHER,
        Profession.SPECIAL_ECEC_TEACHER,
    }
)

# Student-welfare and other non-teaching professions: members of multiprofessional teams.
WELFARE_PROFESSIONS = frozenset(
    {
        Profession.PSYCHOLOGIST,
        Profession.SCHOOL_SOCIAL_WORKER,
        Profession.NURSE,
        Profession.GUIDANCE_COUNSELLOR,
        Profession.SPECIAL_NEEDS_TEACHER,
    }
)


class UnitRole(LabelledEnum):
    """A person's role in one unit. Every member is staff ("teacher" in the role model)."""

    TEACHER = "teacher"
    PRINCIPAL = "principal"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.TEACHER: _l("Staff member"), cls.PRINCIPAL: _l("Principal")}


class Role(LabelledEnum):
    """The four roles of the access model.

    teacher: every staff member (own data, own units); principal: of given units;
    hr: division-wide reading of hours and reports; admin: everything.
    """

    TEACHER = "teacher"
    PRINCIPAL = "principal"
    HR = "hr"
    ADMIN = "admin"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.TEACHER: _l("Teacher"),
            cls.PRINCIPAL: _l("Principal"),
            cls.HR: _l("HR"),
            cls.ADMIN: _l("Administrator"),
        }


class CompetenceKind(LabelledEnum):
    TRANSVERSAL = "transversal"
    THEME = "theme"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.TRANSVERSAL: _l("Transversal competence"),
            cls.THEME: _l("Strategy theme"),
        }
