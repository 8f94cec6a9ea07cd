"""Input schemas: phone and email normalisation, scripts of names, clear messages."""

from datetime import date, timedelta

import pytest

from foundation.errors import InvalidInput
from foundation.forms import validated
from foundation.i18n import current_language
from people.models import TraineeCreate, UserCreate

VALID = {"name_km": "សុខ ស្រីមុំ", "name_latin": "Sok Sreymom", "sex": "female"}


@pytest.fixture(autouse=True)
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("012 345 678", "+85512345678"),
        ("+855 12 345 678", "+85512345678"),
        ("0977123456", "+855977123456"),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised_for_cambodia(typed, stored):
    assert validated(TraineeCreate, VALID | {"phone": typed}).phone == stored


@pytest.mark.parametrize("typed", ["12", "012 34", "hello", "+1 555"])
def test_bad_phone_numbers_are_refused_with_an_example(typed):
    with pytest.raises(InvalidInput) as refused:
        validated(TraineeCreate, VALID | {"phone": typed})
    assert "012 345 678" in refused.value.field_errors["phone"]


def test_email_is_validated_and_lowercased():
    assert (
        validated(TraineeCreate, VALID | {"email": "Sok.Sreymom@Example.ORG"}).email
        == "sok.sreymom@example.org"
    )
    with pytest.raises(InvalidInput) as refused:
        validated(TraineeCreate, VALID | {"email": "not-an-email"})
    assert refused.value.field_errors == {"email": "Not an email address: write it as name@example.org."}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_km", "", "This field is required."),
        ("name_km", "   ", "This field is required."),
        ("name_km", "Sok Sreymom", "Write this in Khmer script."),
        ("name_latin", "សុខ", "Write this in Latin letters, as the person spells it."),
        ("name_latin", "x" * 121, "Too long: at most 120 characters."),
        ("sex", "unknown", "Choose one of the options."),
        ("commune_code", "12345", "Not in the expected form."),
        ("date_of_birth", "yesterday", "Not a date: use the date picker or write YYYY-MM-DD."),
        ("date_of_birth", (date.today() + timedelta(days=1)).isoformat(), "This date is in the future."),
    ],
)
def test_each_bad_field_gets_its_own_message(field, value, message):
    with pytest.raises(InvalidInput) as refused:
        validated(TraineeCreate, VALID | {field: value})
    assert refused.value.field_errors[field] == message


def test_messages_follow_the_language():
    current_language.set("km")
    with pytest.raises(InvalidInput) as refused:
        validated(TraineeCreate, VALID | {"name_km": ""})
    assert refused.value.field_errors["name_km"] != "This field is required."


def test_a_user_needs_a_role():
    with pytest.raises(InvalidInput) as refused:
        validated(UserCreate, {"email": "a@example.org", "display_name": "A", "roles": []})
    assert refused.value.field_errors == {"roles": "Choose at least one role."}
