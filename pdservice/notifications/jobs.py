"""Mail delivery: the outbox is sent by the jobs process, every MAIL_DELIVERY_SECONDS."""

from pdservice.jobs.registry import from_config, scheduled_job
from pdservice.notifications.delivery import deliver_due


@scheduled_job("notifications.deliver", "interval", seconds=from_config("MAIL_DELIVERY_SECONDS"))
def deliver() -> None:
    deliver_due()
