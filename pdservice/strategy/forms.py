from flask_wtf import FlaskForm


class TargetsForm(FlaskForm):
    """The targets table: its inputs are named `target-<indicator>-<unit id or city>` and read
    by the route (one per indicator and unit); the form itself carries the CSRF token."""
