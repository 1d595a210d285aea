"""The object-store backend of both storages when S3_BUCKET is set (config/settings.py)."""

from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """An S3-compatible bucket whose objects are private: no public URL, only links signed for a short
    while (querystring_expire seconds) by `download_url`, after a view has checked permission."""

    def download_url(self, name, *, filename, content_type):
        """A link to download object `name` as `filename` of `content_type`, valid for
        querystring_expire seconds. Signing is local (no request to the store); the store names the
        download and its type as the view would have, and keeps it out of shared caches."""
        return self.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(as_attachment=True, filename=filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
        )
