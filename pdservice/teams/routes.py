from pdservice.teams import bp  # noqa: F401
