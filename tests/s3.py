"""A local S3-compatible server for the tests of the object-storage path: moto's, in a thread of the
test process, on a free port, with one bucket. No external service: `make test` and CI run it."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.error import HTTPError
from urllib.parse import parse_qs
from urllib.request import urlopen

import boto3
from django.utils.datastructures import CaseInsensitiveMapping
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

BUCKET = "zgc-support-funds-test"
REGION = "us-east-1"
KEYS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}

EXPIRED = b"""<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"""


def refusing_expired_links(app):
    """Moto accepts a signed link however old; S3 and MinIO answer 403 "Request has expired" once
    X-Amz-Date + X-Amz-Expires is past. This does the same, by the clock the tests move."""

    def checked(environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "X-Amz-Expires" in query:
            signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
            if time.time() > signed + int(query["X-Amz-Expires"][0]):
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [EXPIRED]
        return app(environ, start_response)

    return checked


class QuietRequestHandler(MotoRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


class LocalS3Server(ThreadedMotoServer):
    """moto's server on 127.0.0.1 and a port the system chooses, refusing expired links."""

    def __init__(self):
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)

    def _server_entry(self):
        app = refusing_expired_links(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=QuietRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint_url(self):
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
        )

    def storage_options(self, location):
        """The OPTIONS of the settings' PrivateS3Storage (config.settings.s3_storage), on this server."""
        from config.settings import s3_storage

        options = s3_storage(bucket=BUCKET, location=location)
        options["OPTIONS"] |= {
            "endpoint_url": self.endpoint_url,
            "region_name": REGION,
            "addressing_style": "path",
            "default_acl": "private",
            "querystring_expire": 60,
            **KEYS,
        }
        return options

    def keys(self, prefix):
        listed = self.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def delete(self, prefix):
        client = self.client()
        for key in self.keys(prefix):
            client.delete_object(Bucket=BUCKET, Key=key)


@dataclass
class Download:
    """What a browser ends up with after following a download link: the view's response, streamed by
    the web worker (file system) or, after its redirect to a signed link, the store's."""

    status: int
    headers: CaseInsensitiveMapping
    content: bytes
    view: object  # the view's response: the file itself, or its redirect to the signed link


def _headers(headers):
    return CaseInsensitiveMapping(dict(headers.items()))


def download(client, url):
    """Download `url` with the test client as a browser would: the view, then any signed link it
    redirects to, fetched from the store. A response that is neither (404, 403) is returned as it is."""
    response = client.get(url)
    if response.status_code == 302 and "X-Amz-Signature=" in response["Location"]:
        try:
            with urlopen(response["Location"], timeout=10) as stored:
                return Download(stored.status, _headers(stored.headers), stored.read(), view=response)
        except HTTPError as refused:
            return Download(refused.code, _headers(refused.headers), refused.read(), view=response)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Download(response.status_code, _headers(response.headers), content, view=response)
