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


class ModelChoiceField(forms.ModelChoiceField):
    """Refuses a value that no primary key could have with the usual "invalid choice" message."""

    def to_python(self, value):
        if value not in self.empty_values and not _in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not _in_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)
