"""What an evidence file's bytes may not hold, whatever its type: a test virus signature, HTML or
script (a polyglot that a browser or another program would run), data after the format's end
(PNG's IEND, JPEG's EOI, PDF's last %%EOF), and in a PDF, active content: JavaScript, launch,
submit and import actions, additional actions, embedded files, XFA forms and rich media.

A PDF's names are read as a reader reads them (#xx escapes decoded) in its bytes outside streams,
which holds every object written plainly, listed by the cross-reference table or not (an earlier
revision, a damaged table a reader rebuilds), and in its object streams, which pypdf finds and
decodes. Other stream contents are not scanned for names: in compressed data, three random bytes
spell "/JS" far too often, and a page's content stream runs nothing. Parsing every object with
pypdf instead would take seconds for a 10 MB file of strings.
"""

import re
import struct
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

# The names people know the accepted types by, in messages.
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

# Markers of HTML, SVG and script that have no business in a scan or a PDF. Each is long enough
# (tag and delimiter) that compressed image data does not spell it by chance.
MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg|frameset|meta)[\s/>]|<!doctype\s+html|<\?php|javascript:",
    re.IGNORECASE,
)

# PDF names that make a document act: run script, start a program, send or import data, carry
# other files, or render forms and media with a reader's plug-ins.
ACTIVE_PDF_NAMES = frozenset(
    {
        "JS",
        "JavaScript",
        "Launch",
        "AA",
        "SubmitForm",
        "ImportData",
        "GoToE",
        "EmbeddedFile",
        "EmbeddedFiles",
        "FileAttachment",
        "XFA",
        "RichMedia",
    }
)
# Object streams hold small dictionaries; a document whose streams unpack to more is a bomb.
MAX_OBJECT_STREAM_BYTES = 32 * 1024 * 1024
# Opening a document may only go to one of its pages.
HARMLESS_OPEN_ACTIONS = frozenset({"/GoTo"})

PDF_WHITESPACE = b"\x00\t\n\x0c\r "


def _spelled(name):
    """A pattern for a PDF name written with any of its characters as a #xx escape."""
    return "".join(f"(?:{char}|#{ord(char) >> 4:X}[{ord(char) & 15:X}{ord(char) & 15:x}])" for char in name)


# Every active name, however it is escaped, ending where a PDF name ends.
ACTIVE_PDF_NAME = re.compile(
    (
        "/(?:"
        + "|".join(_spelled(name) for name in sorted(ACTIVE_PDF_NAMES, key=len, reverse=True))
        + r")(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
    ).encode()
)
STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")


def _refuse_active():
    return ValidationError(
        _(
            "This PDF contains active content (scripts, actions, embedded files or forms) that evidence "
            "may not have: print it to a new PDF and upload that copy."
        ),
        code="active_content",
    )


def _refuse_trailing(kind):
    return ValidationError(
        _("This %(type)s file has data after its end: save it again and upload the new copy.") % {"type": kind},
        code="trailing_data",
    )


def _refuse_damaged_pdf():
    return ValidationError(
        _("This PDF is incomplete or damaged: save it again and upload the new copy."), code="damaged"
    )


def damaged_image():
    return ValidationError(
        _("This image is damaged and cannot be read: save it again and upload the new copy."), code="damaged"
    )


def check_content(content, mime):
    """Refuse (ValidationError) the bytes of a file whose type the caller has judged as `mime`."""
    if EICAR in content:
        raise ValidationError(
            _("This file contains a virus test signature and is not accepted."), code="virus_signature"
        )
    if MARKUP.search(content):
        raise ValidationError(
            _("This file contains web page or script code and is not accepted: save it again as a plain %(type)s.")
            % {"type": TYPE_NAMES[mime]},
            code="markup",
        )
    {"application/pdf": _check_pdf, "image/png": _check_png, "image/jpeg": _check_jpeg}[mime](content)


# --- PDF -------------------------------------------------------------------------------------------


def _check_pdf(content):
    end = content.rfind(b"%%EOF")
    if end < 0:
        raise _refuse_damaged_pdf()
    if content[end + 5 :].strip(PDF_WHITESPACE):
        raise _refuse_trailing("PDF")
    if _writes_active_name(_outside_streams(content)):
        raise _refuse_active()
    _check_pdf_objects(content)


def _outside_streams(content):
    """The parts of a PDF's bytes that are not stream data, joined by a space."""
    parts, position = [], 0
    while (match := STREAM.search(content, position)) is not None:
        start = match.start()
        if content[start - 3 : start] == b"end":
            position = match.end()
            continue
        parts.append(content[position:start])
        finish = content.find(b"endstream", match.end())
        if finish < 0:
            position = len(content)
            break
        position = finish + len(b"endstream")
    parts.append(content[position:])
    return b" ".join(parts)


def _writes_active_name(data):
    return ACTIVE_PDF_NAME.search(data) is not None


def _check_pdf_objects(content):
    """What the byte scan cannot see, read by pypdf: the objects kept in object streams (decoded
    with whatever filters they use, then scanned like the file's bytes), and the opening action,
    which may only go to a page."""
    try:
        reader = PdfReader(BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("This PDF is protected by a password: save it without the protection and upload the new copy."),
                code="encrypted",
            )
        open_action = reader.trailer["/Root"].get_object().get("/OpenAction")
        if open_action is not None:
            open_action = open_action.get_object()
            if isinstance(open_action, DictionaryObject) and open_action.get("/S") not in HARMLESS_OPEN_ACTIONS:
                raise _refuse_active()
        unpacked = 0
        for number in sorted({stream for stream, _index in reader.xref_objStm.values()}):
            data = reader.get_object(number).get_data()
            unpacked += len(data)
            if unpacked > MAX_OBJECT_STREAM_BYTES:
                raise _refuse_damaged_pdf()
            if _writes_active_name(data):
                raise _refuse_active()
    except ValidationError:
        raise
    except Exception:
        # pypdf fails on malformed input with many kinds of exception; a PDF it cannot read
        # cannot be checked, so it is refused as damaged.
        raise _refuse_damaged_pdf() from None


# --- Images ----------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png(content):
    """Walk the chunks to IEND, which must be the file's last bytes."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(content):
        length, kind = struct.unpack(">I4s", content[position : position + 8])
        position += 12 + length
        if kind == b"IEND":
            if position != len(content):
                raise _refuse_trailing("PNG")
            return
    raise damaged_image()


JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _check_jpeg(content):
    """Walk the segments; after each scan, the entropy-coded data to the next marker; EOI must be
    the file's last bytes."""
    position = 2
    size = len(content)
    while position + 2 <= size:
        if content[position] != 0xFF:
            raise damaged_image()
        marker = content[position + 1]
        if marker == 0xFF:
            position += 1  # fill byte
            continue
        if marker == 0xD9:
            if content[position + 2 :]:
                raise _refuse_trailing("JPEG")
            return
        if marker in JPEG_STANDALONE:
            position += 2
            continue
        if position + 4 > size:
            raise damaged_image()
        position += 2 + int.from_bytes(content[position + 2 : position + 4], "big")
        if marker == 0xDA:
            position = _end_of_entropy_coded_data(content, position)
    raise damaged_image()


def _end_of_entropy_coded_data(content, position):
    """The position of the marker that ends a scan's data: 0xFF followed by neither a stuffed zero
    nor a restart marker."""
    while (position := content.find(b"\xff", position)) >= 0 and position + 1 < len(content):
        following = content[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1 if following == 0xFF else 2
            continue
        return position
    return len(content)
