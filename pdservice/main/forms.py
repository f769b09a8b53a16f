from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from pdservice.core.enums import Language


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[(lang.value, lang.label) for lang in Language])
    next = HiddenField()


class PreferencesForm(FlaskForm):
    preferred_language = SelectField(
        _l("Language of the service and of mails"),
        choices=[(lang.value, lang.label) for lang in Language],
    )
