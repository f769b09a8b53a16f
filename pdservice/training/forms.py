from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from pdservice.core.enums import Profession
from pdservice.training.enums import CourseFormat


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered in a fieldset by `checkboxes()` of
    templates/training/macros.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    provider = StringField(_l("Provider"), validators=[Length(max=200)])
    format = SelectField(_l("Format"), choices=CourseFormat.choices)
    hours_credited = DecimalField(
        _l("Hours credited to a participant"),
        places=1,
        default=Decimal(3),
        validators=[
            InputRequired(message=_l("Give the hours (0 is allowed).")),
            NumberRange(0, 200),
        ],
    )
    veso_eligible = BooleanField(_l("Counts as in-service training (VESO)"))
    cost_eur = DecimalField(
        _l("Cost per participant (€)"),
        places=2,
        default=Decimal(0),
        validators=[Optional(), NumberRange(0, 100000)],
    )
    approval_required = BooleanField(_l("The principal must approve each enrolment"))
    active = BooleanField(_l("Offered in the catalogue"), default=True)
    areas = MultiCheckboxField(_l("Competence areas"), coerce=int)
    audience = MultiCheckboxField(
        _l("Meant for (none chosen: everyone)"), choices=Profession.choices
    )
    owners = TextAreaField(
        _l("Organizers: email addresses, one per line"), validators=[Length(max=3000)]
    )

    def validate_hours_credited(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_l("Hours cannot be negative."))


class DateRowForm(Form):
    """One date of a session; a row left empty is ignored."""

    day = DateField(_l("Date"), validators=[Optional()])
    start = TimeField(_l("Starts"), validators=[Optional()])
    end = TimeField(_l("Ends"), validators=[Optional()])

    @property
    def is_blank(self) -> bool:
        return not (self.day.data or self.start.data or self.end.data)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.is_blank:
            return ok
        for f in (self.day, self.start, self.end):
            if not f.data and not f.errors:
                f.errors = list(f.errors) + [str(_l("Required when the row is used."))]
                ok = False
        if self.start.data and self.end.data and self.end.data <= self.start.data:
            self.end.errors = list(self.end.errors) + [str(_l("The end must be after the start."))]
            ok = False
        return ok


DATE_ROWS = 4


class SessionForm(FlaskForm):
    location = StringField(_l("Place"), validators=[Length(max=300)])
    online_url = StringField(
        _l("Online link"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )
    capacity = IntegerField(
        _l("Seats"), validators=[InputRequired(), NumberRange(min=1, max=5000)], default=20
    )
    waitlist_limit = IntegerField(
        _l("Places on the waiting list (empty: no limit, 0: no waiting list)"),
        validators=[Optional(), NumberRange(min=0, max=5000)],
    )
    dates = FieldList(FormField(DateRowForm), min_entries=DATE_ROWS)
    enrol_opens_at = DateTimeLocalField(
        _l("Enrolment opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    enrol_closes_at = DateTimeLocalField(
        _l("Enrolment closes"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    cancel_cutoff_at = DateTimeLocalField(
        _l("Participants can cancel until"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )

    def validate_dates(self, field):
        if all(row.form.is_blank for row in field.entries):
            raise ValidationError(_l("Give at least one date with its start and end time."))


class EnrolForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you want to take part? (shown to your principal)"),
        validators=[Length(max=2000)],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=2000)])


class CancelSessionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, sent to every participant"), validators=[DataRequired(), Length(max=2000)]
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[DataRequired(message=_l("Choose approve or reject."))],
    )
    comment = TextAreaField(_l("Comment to the staff member"), validators=[Length(max=2000)])


class FeedbackForm(FlaskForm):
    rating = RadioField(
        _l("Rating"),
        choices=[
            ("5", _l("5 – excellent")),
            ("4", _l("4 – good")),
            ("3", _l("3 – fair")),
            ("2", _l("2 – poor")),
            ("1", _l("1 – very poor")),
        ],
        validators=[DataRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=3000)])


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is the point."""
