from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from pdservice.teams.enums import TeamKind
from pdservice.teams.models import MAX_MEETING_SLOTS


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=TeamKind.choices)
    meeting_slots = IntegerField(
        _l("Meeting length (periods)"),
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_MEETING_SLOTS)],
    )
    needs_meeting = BooleanField(_l("Solve runs place a weekly meeting"), default=True)
    members = SelectMultipleField(_l("Members"), coerce=int)


class MeetingForm(FlaskForm):
    term_id = IntegerField(validators=[DataRequired()])
    slot_id = IntegerField(validators=[DataRequired()])


class ClearMeetingForm(FlaskForm):
    term_id = IntegerField(validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    pass
