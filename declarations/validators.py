import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from declarations import evidence_checks
from declarations.evidence import ACCEPTED_TYPES


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


def evidence_file_type(uploaded):
    """The MIME type of an uploaded evidence file, judged by its content and then held against its name.

    Raises ValidationError for an empty, oversized or other kind of file, a name whose extension is
    not the content's, an image that does not decode, data after the format's end, a test virus
    signature, HTML or script markers (a polyglot), or a PDF with active content (evidence_checks)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if not uploaded.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if uploaded.size > limit:
        size, largest = filesizeformat(uploaded.size), filesizeformat(limit)
        if size == largest:
            size, largest = _("%(n)s bytes") % {"n": f"{uploaded.size:,}"}, _("%(n)s bytes") % {"n": f"{limit:,}"}
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s.") % {"size": size, "limit": largest},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        raise ValidationError(
            _("Only PDF, JPEG and PNG files are accepted, and this file's content is none of them%(found)s.")
            % {"found": f" ({kind.mime})" if kind else ""},
            code="type",
        )
    _check_extension(uploaded.name, kind.mime)
    uploaded.seek(0)
    content = uploaded.read()
    uploaded.seek(0)
    evidence_checks.check_content(content, kind.mime)
    if kind.mime != "application/pdf":
        _check_image(uploaded)
    return kind.mime


# What each accepted type may be called; the first is the extension a kept file gets.
EXTENSIONS = {"application/pdf": ("pdf",), "image/jpeg": ("jpg", "jpeg"), "image/png": ("png",)}


def _check_extension(name, mime):
    extension = _split_name(name)[1].lower()
    allowed = EXTENSIONS[mime]
    if extension not in allowed:
        raise ValidationError(
            _("This file's content is %(type)s, so its name must end in %(extensions)s: rename it and upload it again.")
            % {"type": evidence_checks.TYPE_NAMES[mime], "extensions": _(" or ").join(f".{e}" for e in allowed)},
            code="extension",
        )


def _split_name(name):
    """(stem, extension) of the name a user gave, with no folders, control characters or quotes."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    # Windows drops trailing dots and spaces, so "x.html. " would open as x.html.
    name = name.strip().rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return name, ""
    return stem.rstrip(". "), extension


def evidence_file_name(name, content_type):
    """The name a kept evidence file is shown and offered under: the user's name without folders,
    control characters or quotes, ending in the extension of its checked type and in no other."""
    stem = _split_name(name)[0].strip() or "evidence"
    extension = EXTENSIONS[content_type][0]
    return f"{stem[: 199 - len(extension)]}.{extension}"


# A scan of an A4 page at 600 dpi has about 35 million pixels; more is a typing error or a bomb.
MAX_IMAGE_PIXELS = 60_000_000


def _check_image(uploaded):
    """The image's structure (verify) and then its pixels (load): a JPEG cut short or padded with
    junk passes the first check alone."""
    try:
        with Image.open(uploaded) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("This image has more than %(n)s million pixels: scan it at a lower resolution.")
                    % {"n": MAX_IMAGE_PIXELS // 1_000_000},
                    code="too_many_pixels",
                )
            image.verify()
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            image.load()
    except ValidationError:
        raise
    except Exception:
        # Pillow's decoders fail on malformed input with many kinds of exception (OSError,
        # SyntaxError, ValueError, EOFError, IndexError, struct.error, DecompressionBombError...):
        # whichever it is, the file cannot be read.
        raise evidence_checks.damaged_image() from None
    finally:
        uploaded.seek(0)
