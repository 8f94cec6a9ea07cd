"""Submitted forms and JSON bodies checked against the input schemas, with messages in the user's language."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from foundation.errors import InvalidInput
from foundation.i18n import N_, gettext
from foundation.numbers import unstorable_numbers
from foundation.text import checked_values

Schema = TypeVar("Schema", bound=BaseModel)

# pydantic's own error types, said in words we translate.
GENERIC_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("Not in the expected form."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "date_from_datetime_parsing": N_("Not a date: use the date picker or write YYYY-MM-DD."),
    "date_parsing": N_("Not a date: use the date picker or write YYYY-MM-DD."),
    "date_type": N_("Not a date: use the date picker or write YYYY-MM-DD."),
    "int_parsing": N_("Write a whole number."),
    "int_from_float": N_("Write a whole number."),
    "decimal_parsing": N_("Write a number, e.g. 12 or 12.5."),
    "decimal_max_places": N_("Use at most one decimal place."),
    "decimal_max_digits": N_("This number is too large."),
    "greater_than": N_("Must be more than %(gt)s."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "bool_parsing": N_("Choose one of the options."),
    "time_parsing": N_("Not a time: write it as HH:MM, e.g. 08:30."),
    "time_type": N_("Not a time: write it as HH:MM, e.g. 08:30."),
    "list_type": N_("Choose one of the options."),
}


TOO_LARGE = GENERIC_MESSAGES["decimal_max_digits"]


def _message(error: Any) -> tuple[str, dict[str, Any]]:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"]), {}
    return GENERIC_MESSAGES.get(error["type"], N_("Not valid.")), dict(error.get("ctx") or {})


def field_errors(exc: ValidationError) -> dict[str, str]:
    """First problem per field, translated now (the request's language is already set)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        if field not in errors:
            message, params = _message(error)
            errors[field] = gettext(message) % params if "%(" in message else gettext(message)
    return errors


def validated(schema: type[Schema], values: dict[str, Any]) -> Schema:
    """The values checked against the schema; before that, every text in them (foundation.text)."""
    texts = {name: checked_values(value) for name, value in values.items()}
    if refused := {name: gettext(problem) for name, (_, problem) in texts.items() if problem}:
        raise InvalidInput(refused)
    try:
        checked = schema.model_validate({name: value for name, (value, _) in texts.items()})
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from None
    too_large = {name: gettext(TOO_LARGE) for name, value in checked if unstorable_numbers(value)}
    if too_large:
        raise InvalidInput(too_large)
    return checked


def form_values(form: Any, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """A submitted form as a dict: one value per field, all values for the fields named in `lists`."""
    values = {key: form.get(key) for key in form if not key.startswith("_")}
    for key in lists:
        values[key] = form.getall(key, [])
    return values


def wants_next_places(form: Any) -> bool:
    """Without JavaScript the selects cannot cascade: the form comes back with the next list filled in."""
    return "_next_places" in form
