from pdservice.coteaching import bp  # noqa: F401
