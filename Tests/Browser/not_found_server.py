"""Serves a reseller root over HTTP on 127.0.0.1 the way its web server would, for 404.html.

The 404 page links from the site root (`/assets/…`) because a web server shows it at any
missing path, so it cannot be opened from disk: it is opened at a missing path two folders
deep, answered with 404.html and status 404, as nginx's `error_page` or Apache's
`ErrorDocument` do.
"""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from site_pages import Page

MISSING_PATH = "/no-such-client/2000-01/index.html"


class _Handler(SimpleHTTPRequestHandler):
    def send_error(self, code, message=None, explain=None):
        error_page = Path(self.directory) / "404.html"
        if code != 404 or not error_page.is_file():
            super().send_error(code, message, explain)
            return
        body = error_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class NotFoundServer:
    def __init__(self, root: Path) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def for_page(page: Page) -> "NotFoundServer | _NoServer":
        return NotFoundServer(page.path.parent) if page.kind == "404" else _NoServer()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{MISSING_PATH}"

    @property
    def expected_console_messages(self) -> set[str]:
        """Chromium reports the page's own 404 status as a console error; that one is intended."""
        return {f"{self.url} - Failed to load resource: the server responded with a status of 404 (Not Found)"}

    def __enter__(self) -> "NotFoundServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __bool__(self) -> bool:
        return True


class _NoServer:
    """For pages opened from disk."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        pass
