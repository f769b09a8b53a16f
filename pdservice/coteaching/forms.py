from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pdservice.coteaching.enums import Answer
from pdservice.coteaching.solving.parameters import MAX_TIME_LIMIT_SECONDS
from pdservice.coteaching.wishes import MAX_LESSONS_A_WEEK


class WishForm(FlaskForm):
    willing = BooleanField(_l("I would like to co-teach this term"))
    max_lessons = IntegerField(
        _l("At most this many co-taught lessons a week"),
        default=4,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_LESSONS_A_WEEK)],
    )
    subjects = SelectMultipleField(_l("In these subjects (none chosen: any)"))
    wished = SelectMultipleField(_l("I would like to co-teach with"), coerce=int)
    avoided = SelectMultipleField(_l("I would rather not co-teach with"), coerce=int)
    comment = TextAreaField(_l("A note for the principal"), validators=[Length(max=500)])


class RunForm(FlaskForm):
    time_limit_seconds = IntegerField(
        _l("Time limit (seconds)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_TIME_LIMIT_SECONDS)],
    )
    min_lessons = IntegerField(
        _l("A pair shares at least this many lessons a week"),
        default=2,
        validators=[InputRequired(), NumberRange(min=1, max=10)],
    )
    max_partners = IntegerField(
        _l("Partners per person at most"),
        default=2,
        validators=[InputRequired(), NumberRange(min=0, max=6)],
    )
    max_coteachers = IntegerField(
        _l("Co-teachers in one lesson at most"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=3)],
    )
    include_meetings = BooleanField(_l("Also place the teams' weekly meetings"), default=True)
    assume_willing = BooleanField(_l("Include staff who have not stated wishes"), default=True)
    default_capacity = IntegerField(
        _l("Their co-taught lessons a week at most"),
        default=4,
        validators=[InputRequired(), NumberRange(min=0, max=30)],
    )
    specialist_capacity = IntegerField(
        _l("For special-needs teachers who have not stated wishes"),
        default=8,
        validators=[InputRequired(), NumberRange(min=0, max=30)],
    )
    weight_support_need = IntegerField(
        _l("Support need of the group"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    weight_complementarity = IntegerField(
        _l("Complementary competences"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    weight_wish = IntegerField(_l("Wishes"), validators=[InputRequired(), NumberRange(0, 100)])
    weight_continuity = IntegerField(
        _l("Continuity with last term"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    weight_coverage = IntegerField(
        _l("Staff in co-teaching"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    weight_fairness = IntegerField(
        _l("Fairness across groups"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    weight_compact_days = IntegerField(
        _l("Compact days (penalty for idle periods)"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    weight_stay = IntegerField(
        _l("Stay close to the previous plan"), validators=[InputRequired(), NumberRange(0, 100)]
    )


WEIGHT_FIELDS = (
    "support_need",
    "complementarity",
    "wish",
    "continuity",
    "coverage",
    "fairness",
    "compact_days",
    "stay",
)


class ActionForm(FlaskForm):
    action = StringField(validators=[DataRequired(), Length(max=20)])


class PinForm(FlaskForm):
    lesson_id = SelectField(_l("Lesson"), coerce=int, validators=[DataRequired()])
    coteacher_id = SelectField(_l("Co-teacher"), coerce=int, validators=[DataRequired()])


class ResponseForm(FlaskForm):
    answer = RadioField(
        _l("Your answer"),
        choices=Answer.choices,
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class PlanningForm(FlaskForm):
    partner_id = SelectField(_l("Planned with"), coerce=int, validators=[DataRequired()])
    occurred_on = DateField(_l("Date"), validators=[DataRequired()])
    hours = DecimalField(
        _l("Hours"), places=2, validators=[InputRequired(), NumberRange(min=0.25, max=12)]
    )
    note = StringField(_l("What you planned"), validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    pass
