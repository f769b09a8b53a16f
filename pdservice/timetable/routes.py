from pdservice.timetable import bp  # noqa: F401
