"""The states of a mail in the outbox, each with a translated label."""

from flask_babel import lazy_gettext as _l

from pdservice.core.enums import LabelledEnum


class OutboxStatus(LabelledEnum):
    PENDING = "pending"  # waiting to be sent (again, after a failure: see next_attempt_at)
    SENDING = "sending"  # claimed by the delivery job
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; an admin can send it again

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PENDING: _l("Waiting"),
            cls.SENDING: _l("Being sent"),
            cls.SENT: _l("Sent"),
            cls.FAILED: _l("Failed"),
        }
