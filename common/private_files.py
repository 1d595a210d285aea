"""Serving a private file (evidence, generated documents) after a view has checked permission.

The one place that turns a stored file into a response, so that every private file is served the
same way whatever storage holds it: always as a download, never cached by a shared cache.

On the file system the file is streamed by the web worker. On an object store (common.storage.
PrivateS3Storage) the response redirects to a link signed for a minute: the store sends the bytes,
so a slow client's download of a 10 MB scan holds no web worker (gunicorn's are few and sync), and
every web host serves every file. The link is made only after the caller's permission check and
expires soon after; it names the download and its type as the streamed response would."""

from django.http import FileResponse, Http404, HttpResponseRedirect


def private_file_response(field_file, *, filename, content_type):
    """A download of `field_file` (a FieldFile of a private storage) named `filename`; 404 when the
    storage no longer has it. The caller has checked that the user may see it."""
    storage = field_file.storage
    download_url = getattr(storage, "download_url", None)
    if download_url is not None:
        if not storage.exists(field_file.name):
            raise Http404
        response = HttpResponseRedirect(download_url(field_file.name, filename=filename, content_type=content_type))
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
