"""The vocabularies of the hours ledger, each with a translated label."""

from flask_babel import lazy_gettext as _l

from pdservice.core.enums import LabelledEnum


class HoursKind(LabelledEnum):
    TRAINING = "training"
    VESO = "veso"
    EXTERNAL = "external"
    COTEACHING_PLANNING = "coteaching_planning"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.TRAINING: _l("Training"),
            cls.VESO: _l("In-service training (VESO)"),
            cls.EXTERNAL: _l("External training"),
            cls.COTEACHING_PLANNING: _l("Co-teaching planning"),
        }


class ExternalStatus(LabelledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PENDING: _l("Waiting for approval"),
            cls.APPROVED: _l("Approved"),
            cls.REJECTED: _l("Not approved"),
        }
