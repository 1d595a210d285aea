"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

# Primary keys are 64-bit; a larger number would overflow the database driver, not match a row.
MAX_PK = 2**63 - 1


def _in_range(value):
    """False only for a whole number no primary key can be; other text is for Django to judge."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True
    return 0 < number <= MAX_PK


class ModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A field's choices read by one plain query. Django's iterator reads them through
    QuerySet.iterator(), which on PostgreSQL is a server-side cursor: declaring, fetching and
    closing it are three round trips for the few rows of a select."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Refuses a value that no primary key could have with the usual "invalid choice" message."""

    iterator = ModelChoiceIterator

    def to_python(self, value):
        if value not in self.empty_values and not _in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ModelChoiceIterator

    def _check_values(self, value):
        for pk in value:
            if not _in_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)
