#!/usr/bin/env python3
"""Serves the built site (build-web/site) for the browser app, on 127.0.0.1 only
unless told otherwise (--host or HOST=0.0.0.0 to let other machines in).

Sends Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
require-corp, which make the page cross-origin isolated so the threaded
(pthreads) build can run; --no-isolation leaves them out, and the page then
picks the single-thread build (what a plain static host gives you).

Every response carries a Content-Security-Policy: scripts, workers, data and
fonts come from this origin only; WebAssembly may compile ('wasm-unsafe-eval');
nothing is loaded from or sent to anywhere else. web/index.html repeats the
policy in a <meta> for static hosts that send no headers.

    scripts/serve.py [--host 127.0.0.1] [--port 8080] [--root build-web/site] [--no-isolation] [--quiet]
    PORT=9000 scripts/serve.py
    HOST=0.0.0.0 scripts/serve.py     # reachable from other machines: only on a network you trust
"""
import argparse
import http.server
import os
import socketserver
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Keep in step with the <meta http-equiv="Content-Security-Policy"> in web/index.html
# (a header may also say frame-ancestors, which a <meta> cannot).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",  # the wasm module compiles; no eval of JavaScript
    "worker-src 'self' blob:",               # Emscripten's pthread workers
    "img-src 'self' blob: data:",
    "style-src 'self' 'unsafe-inline'",      # the page's one <style> block
    "connect-src 'self'",                    # fetches of the wasm, demo assets and font
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])

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
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
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
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"),
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--root", default=os.path.join(ROOT, "build-web", "site"))
    parser.add_argument("--no-isolation", action="store_true", help="omit COOP/COEP (single-thread build)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.root, "index.html")):
        sys.exit(f"serve.py: {args.root} has no index.html; build the site with scripts/build-web.sh")
    server = Server((args.host, args.port), make_handler(args.root, not args.no_isolation, args.quiet))
    mode = "without cross-origin isolation (single-thread build)" if args.no_isolation else "cross-origin isolated (threaded build)"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"serve.py: listening on {args.host}: other machines can reach this server", file=sys.stderr)
    print(f"Distillery is served at http://{args.host}:{server.server_address[1]}/  ({mode})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
