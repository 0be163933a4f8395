"""Messages (venowatch.protocol.message) as JSON, stored with each assessment so that its
reasons can be written out again later, in any language.

A message is {"template", "params", "plural"?}; a param is a message, {"instant": RFC 3339 with
its offset}, {"seconds", "unit"} for a span, or a plain JSON number or string.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from venowatch.protocol import Clause, Reason
from venowatch.protocol.message import Message, Param, Span, Unit


def message_json(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {
        "template": message.template,
        "params": {name: _param_json(value) for name, value in message.params},
    }
    if message.plural is not None:
        data["plural"] = message.plural
    return data


def _param_json(value: Param) -> Any:
    if isinstance(value, Message):
        return message_json(value)
    if isinstance(value, datetime):
        return {"instant": value.isoformat()}
    if isinstance(value, Span):
        seconds = value.length.total_seconds()
        return {
            "seconds": int(seconds) if seconds.is_integer() else seconds,
            "unit": value.unit.value,
        }
    return value


def message_from_json(data: Mapping[str, Any]) -> Message:
    """The message `message_json` wrote; ValueError if `data` is not one."""
    try:
        template, params, plural = data["template"], data["params"], data.get("plural")
        items = tuple((name, _param(value)) for name, value in params.items())
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a message: {exc!r}") from None
    if not isinstance(template, str) or not isinstance(plural, str | None):
        raise ValueError(f"not a message: its template and plural must be text, not {template!r}")
    return Message(template, items, plural)


def _param(value: Any) -> Param:
    if isinstance(value, Mapping):
        if "template" in value:
            return message_from_json(value)
        if "instant" in value:
            return datetime.fromisoformat(value["instant"])
        return Span(timedelta(seconds=value["seconds"]), Unit(value["unit"]))
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise ValueError(f"not a message parameter: {value!r}")


def reason_json(reason: Reason) -> dict[str, Any]:
    """A reason as an assessment row stores it: the English of both wordings (what the API
    sends), and both as messages, so that pages can write them in the reader's language."""
    return {
        "clause": None if reason.clause is None else reason.clause.value,
        "code": reason.code,
        "text": reason.patient,
        "staff": reason.staff,
        "message": message_json(reason.patient_message),
        "staff_message": message_json(reason.staff_message),
    }


def reason_from_json(data: Mapping[str, Any]) -> Reason:
    """The reason `reason_json` stored. A row stored before messages were kept has only its
    English: each wording becomes a message of that text, with no params, shown as it is."""
    clause = data.get("clause")
    patient, staff = data.get("message"), data.get("staff_message")
    text = str(data.get("text", ""))
    return Reason(
        clause=None if clause is None else Clause(clause),
        code=str(data.get("code", "")),
        patient_message=Message(text) if patient is None else message_from_json(patient),
        staff_message=(
            Message(str(data.get("staff") or text)) if staff is None else message_from_json(staff)
        ),
    )
