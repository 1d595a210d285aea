from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def validate_credit_code(value):
    """The unified social credit code of GB 32100-2015, with its check character."""
    try:
        uscc.validate(value)
    except InvalidLength:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length") from None
    except InvalidChecksum:
        raise ValidationError(
            _("The last character of this unified social credit code does not match: check for a typing error."),
            code="checksum",
        ) from None
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(
            _("This is not a unified social credit code: use digits and capital letters except I, O, S, V and Z."),
            code="format",
        ) from None


def normalise_credit_code(value):
    return uscc.compact(value or "")
