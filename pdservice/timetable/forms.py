from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class TermForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])

    def validate_ends_on(self, field):  # noqa: ANN001, ANN201 - WTForms' inline validator
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("The last day is before the first day."))


NEW_TERM = "new"


class ImportForm(FlaskForm):
    file = FileField(_l("Timetable file (CSV or XHSTT .xml)"), validators=[FileRequired()])
    term = SelectField(_l("Term"), validators=[DataRequired()])
    new_term = StringField(_l("Name of the new term"), validators=[Optional(), Length(max=80)])
    solution = IntegerField(
        _l("XHSTT solution to use"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=99)],
    )
    teachers = TextAreaField(
        _l("Teacher matching (XHSTT only)"),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 6, "spellcheck": "false"},
    )
