"""Normalisation of contact values; bad input raises ApplicationError naming the
field."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

from core.errors import ApplicationError


def phone_normalize(
    value: str, *, region: str | None = "CN", field: str = "value"
) -> str:
    """The number in E.164 (+8613800138000); numbers without + are read in `region`."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        # Not libphonenumber's own text ("(1) The string supplied did not seem...").
        message = gettext("%(value)r is not a phone number.") % {"value": value}
        raise ApplicationError(message, errors={field: [message]}) from None
    if not phonenumbers.is_valid_number(number):
        message = gettext("%(value)r is not a valid phone number.") % {"value": value}
        raise ApplicationError(message, errors={field: [message]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_normalize(value: str, *, field: str = "value") -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        message = gettext("%(value)r is not a valid email address.") % {"value": value}
        raise ApplicationError(message, errors={field: [message]}) from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def contact_value_normalize(
    channel: str, value: str, *, region: str | None = "CN", field: str = "value"
) -> str:
    if channel == "phone":
        return phone_normalize(value, region=region, field=field)
    if channel == "email":
        return email_normalize(value, field=field)
    value = value.strip()
    if not value:
        raise ApplicationError(
            gettext("An address cannot be empty."),
            errors={field: [gettext("Required.")]},
        )
    return value
