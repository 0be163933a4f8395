"""Phone numbers as venowatch stores them: E.164 (`+14155552671`), parsed and checked with
Google's libphonenumber (the `phonenumbers` package). A number written without its country code
is read as one of settings.VENOWATCH_PHONE_REGION."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_TYPE = phonenumbers.PhoneNumberType
_SMS_TYPES = {_TYPE.MOBILE, _TYPE.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """Not a phone number; the text says why, as the end of a sentence that starts with the
    field's name ("... is not a phone number")."""


def normalise(text: str) -> str:
    """`text` as an E.164 number, or PhoneError."""
    try:
        number = phonenumbers.parse(text.strip(), settings.VENOWATCH_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise PhoneError(_("is not a phone number")) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            _("is not a valid phone number (for another country, start with + and its code)")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(text: str) -> None:
    """A model field validator: the admin refuses what normalise refuses."""
    try:
        normalise(text)
    except PhoneError as exc:
        raise ValidationError(_("This number %(problem)s.") % {"problem": exc}) from None


def readable(e164: str) -> str:
    """The number as people read it (`+1 415-555-2671`); as stored if it does not parse."""
    try:
        number = phonenumbers.parse(e164, settings.VENOWATCH_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def takes_sms(text: str) -> bool:
    """Whether the number can be a mobile one (where a country's numbering cannot tell mobile
    from landline, as in North America, it may)."""
    try:
        number = phonenumbers.parse(text, settings.VENOWATCH_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _SMS_TYPES
