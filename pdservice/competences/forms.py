from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from pdservice.competences.levels import level_choices


class GoalForm(FlaskForm):
    area_id = SelectField(_l("Competence area"), coerce=int, validators=[DataRequired()])
    target_level = SelectField(
        _l("Target level"),
        choices=[c for c in level_choices() if c[0] != "0"],
        validators=[DataRequired()],
    )
    planned_actions = TextAreaField(
        _l("Planned actions (training, co-teaching, peer learning, reading ...)"),
        validators=[DataRequired(), Length(max=3000)],
    )
    due_on = DateField(_l("Due date"), validators=[DataRequired()])


class PlanDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("return", _l("Return for changes"))],
        validators=[DataRequired(message=_l("Choose approve or return."))],
    )
    comment = TextAreaField(
        _l("Comment (required when returning the plan)"), validators=[Length(max=3000)]
    )


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is the point."""
