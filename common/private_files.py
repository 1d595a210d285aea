"""Serving a private file (evidence, generated documents) after a view has checked permission.

The one place that turns a stored file into a response, so that every private file is served the
same way whatever storage holds it: always as a download, never cached by a shared cache."""

from django.http import FileResponse, Http404


def private_file_response(field_file, *, filename, content_type):
    """A download of `field_file` (a FieldFile of a private storage) named `filename`; 404 when the
    storage no longer has it. The caller has checked that the user may see it."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
