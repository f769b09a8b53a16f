from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from pdservice.clock import today
from pdservice.training.forms import MultiCheckboxField

MAX_EXTERNAL_HOURS = 200


class ExternalTrainingForm(FlaskForm):
    title = StringField(_l("Training"), validators=[DataRequired(), Length(max=200)])
    provider = StringField(_l("Provider"), validators=[DataRequired(), Length(max=200)])
    occurred_on = DateField(_l("Date (the last day, if several)"), validators=[DataRequired()])
    hours = DecimalField(
        _l("Hours"),
        places=1,
        validators=[
            InputRequired(message=_l("Give the hours as a number.")),
            NumberRange(
                min=0.5,
                max=MAX_EXTERNAL_HOURS,
                message=_l("Hours must be between 0.5 and %(max)d.", max=MAX_EXTERNAL_HOURS),
            ),
        ],
    )
    areas = MultiCheckboxField(_l("Competence areas"), coerce=int)
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=2000)])

    def validate_occurred_on(self, field):
        if field.data and field.data > today():
            raise ValidationError(_l("Record training once it has taken place."))


class ExternalDecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[DataRequired(message=_l("Choose approve or reject."))],
    )
    comment = TextAreaField(_l("Comment to the staff member"), validators=[Length(max=2000)])
