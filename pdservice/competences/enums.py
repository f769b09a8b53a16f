"""The vocabularies of competences, each with a translated label."""

from flask_babel import lazy_gettext as _l

from pdservice.core.enums import LabelledEnum


class AssessmentSource(LabelledEnum):
    SELF = "self"
    PRINCIPAL = "principal"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.SELF: _l("Self-assessment"), cls.PRINCIPAL: _l("Principal's view")}


class PlanStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: _l("Draft"),
            cls.SUBMITTED: _l("Waiting for the principal"),
            cls.APPROVED: _l("Approved"),
            cls.RETURNED: _l("Returned for changes"),
        }


# A plan can be edited in these states; submitting sends it to the principal.
EDITABLE_PLAN_STATES = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
