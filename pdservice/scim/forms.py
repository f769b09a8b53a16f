from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name of the token (who uses it)"),
        validators=[DataRequired(), Length(max=100)],
        default="Entra ID",
    )


class GroupMappingForm(FlaskForm):
    """What a provisioned group stands for: `unit:<id>:teacher`, `unit:<id>:principal`,
    `hr`, `admin`, or nothing."""

    target = SelectField(_l("The group's members are"), validate_choice=True)
