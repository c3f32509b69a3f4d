#!/usr/bin/env python3
"""Serves the built site (build-web/site) on 127.0.0.1 for the browser app.

Sends Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
require-corp, which make the page cross-origin isolated so the threaded
(pthreads) build can run; --no-isolation leaves them out, and the page then
picks the single-thread build (what a plain static host gives you).

    scripts/serve.py [--port 8080] [--root build-web/site] [--no-isolation] [--quiet]
    PORT=9000 scripts/serve.py
"""
import argparse
import http.server
import os
import socketserver
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".ttf": "font/ttf",
    ".gz": "application/gzip",
    ".png": "image/png",
}


def make_handler(root, isolation, quiet):
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=root, **kwargs)

        def end_headers(self):
            if isolation:
                self.send_header("Cross-Origin-Opener-Policy", "same-origin")
                self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
            # The site changes on every build: always revalidate.
            self.send_header("Cache-Control", "no-cache")
            super().end_headers()

        def log_message(self, format, *args):
            if not quiet:
                super().log_message(format, *args)

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--root", default=os.path.join(ROOT, "build-web", "site"))
    parser.add_argument("--no-isolation", action="store_true", help="omit COOP/COEP (single-thread build)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.root, "index.html")):
        sys.exit(f"serve.py: {args.root} has no index.html; build the site with scripts/build-web.sh")
    server = Server((args.host, args.port), make_handler(args.root, not args.no_isolation, args.quiet))
    mode = "without cross-origin isolation (single-thread build)" if args.no_isolation else "cross-origin isolated (threaded build)"
    print(f"Distillery is served at http://{args.host}:{server.server_address[1]}/  ({mode})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
