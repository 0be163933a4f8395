"""A text column that holds one of the engine's enums, read back as the enum.

The column stores the enum's value, as a plain CharField did (no migration: to migrations the
field is the CharField it stores). A model instance always holds the member, whether set from
its text or loaded, and `values_list` gives members too.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from django.db import models
from django.db.models.query_utils import DeferredAttribute

_E = TypeVar("_E", bound=enum.Enum)


class _EnumAttribute(DeferredAttribute):
    """Converts on every assignment, so a row made in code reads as one loaded from the
    database does."""

    field: EnumField[Any]

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = self.field.to_python(value)


class EnumField(models.CharField[_E, _E]):
    """A CharField of `enum`'s values whose attribute is the member."""

    descriptor_class = _EnumAttribute

    def __init__(self, *args: Any, enum: type[_E], **kwargs: Any) -> None:
        self.enum = enum
        kwargs.setdefault("choices", [(m.value, m.value.replace("_", " ")) for m in enum])
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        # Migrations see the CharField the column is: the enum is how Python reads it, not
        # part of the schema, so switching a field to this type needs no migration.
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

    def clone(self) -> EnumField[_E]:
        _, _, args, kwargs = self.deconstruct()
        return type(self)(*args, enum=self.enum, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else self.enum(value)

    def to_python(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, self.enum):
            return value
        try:
            return self.enum(value)
        except ValueError:
            return value  # left for validation, which names it as an invalid choice

    def get_prep_value(self, value: Any) -> Any:
        # Not CharField's: it would call to_python, which makes the member again.
        value = models.Field.get_prep_value(self, value)
        return value.value if isinstance(value, enum.Enum) else value

    def value_from_object(self, obj: models.Model) -> Any:
        # Forms and serializers see the stored text.
        value = super().value_from_object(obj)
        return value.value if isinstance(value, enum.Enum) else value

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value.value if isinstance(value, enum.Enum) else value, model_instance)

    def run_validators(self, value: Any) -> None:
        super().run_validators(value.value if isinstance(value, enum.Enum) else value)

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        labels = dict(self.choices or ())
        attname = self.attname

        def display(instance: models.Model) -> str:
            value = instance.__dict__.get(attname)
            text = value.value if isinstance(value, enum.Enum) else value
            return str(labels.get(text, text))

        setattr(cls, f"get_{name}_display", display)
