from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from pdservice.core.enums import UNIT_LANGUAGES, Language, Profession, UnitKind, UnitRole


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    profession = SelectField(_l("Profession"), choices=Profession.choices)
    fte = DecimalField(
        _l("Full-time equivalent (FTE)"),
        places=2,
        default=Decimal("1.00"),
        validators=[DataRequired(), NumberRange(min=Decimal("0.01"), max=Decimal("1"))],
    )
    preferred_language = SelectField(
        _l("Preferred language"), choices=[(x.value, x.label) for x in Language]
    )
    is_hr = BooleanField(_l("HR (division-wide reports)"))
    is_admin = BooleanField(_l("Administrator"))
    password = PasswordField(
        _l("Temporary password (the user must change it at first sign-in)"),
        validators=[Optional(), Length(min=10, max=200)],
    )


class MembershipForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    role = SelectField(_l("Role in the unit"), choices=UnitRole.choices)


class UnitForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use lower-case letters a–z, digits and hyphens."),
            ),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=UnitKind.choices)
    language = SelectField(_l("Language"), choices=[(x.value, x.label) for x in UNIT_LANGUAGES])
    active = BooleanField(_l("Active"), default=True)


class StaffImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is the point."""


class AuditFilterForm(FlaskForm):
    action = StringField(_l("Action starts with"), validators=[Optional(), Length(max=80)])
    actor = StringField(_l("Changed by (name or email)"), validators=[Optional(), Length(max=200)])
    unit = SelectField(_l("Unit"), coerce=int, default=0, validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
