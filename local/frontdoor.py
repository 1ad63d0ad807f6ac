"""The HTTP front door: requests in, API Gateway HTTP API (payload 2.0) events out, for the
routes and authorizers (Lambda and JWT) that template.yaml declares; plus the local-only
`/_local/*` routes."""

import base64
import contextlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from local.jwt_authorizer import JwtAuthorizer
from local.lambdas import InvocationError, LocalFunctions
from local.template import Route

AUTHORIZER_CACHE_SECONDS = 300
LOCAL_API_ARN = "arn:aws:execute-api:us-east-1:123456789012:local"


class CompiledRoute:
    def __init__(self, route: Route) -> None:
        self.route = route
        pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(route.path))
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        self.regex = re.compile(f"^{pattern}$")

    @property
    def precedence(self) -> tuple[bool, bool, int]:
        """As API Gateway chooses: an exact method before ANY, a plain path before a greedy
        one ({proxy+}), and the longer of two greedy paths first (/console/{proxy+} before the
        catch-all /{proxy+}), whatever order the template lists them in."""
        return ("+}" in self.route.path, self.route.method == "ANY", -len(self.route.path))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.route.method not in (method, "ANY"):  # ANY: the route takes every method
            return None
        found = self.regex.match(path)
        return found.groupdict() if found else None


class FrontDoor(ThreadingHTTPServer):
    daemon_threads = True
    # API Gateway takes many connections at once; the socketserver default backlog (5) would
    # reset a burst of concurrent requests before any of them reached the API.
    request_queue_size = 128

    def __init__(
        self,
        port: int,
        routes: list[Route],
        authorizers: dict[str, str],
        functions: LocalFunctions,
        local_routes: dict[str, Callable[[], Any]],
        jwt_authorizers: dict[str, JwtAuthorizer] | None = None,
        local_posts: dict[str, Callable[[bytes], tuple[int, Any]]] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", port), FrontDoorHandler)
        self.routes = sorted((CompiledRoute(route) for route in routes), key=lambda r: r.precedence)
        self.authorizers = authorizers
        self.functions = functions
        self.local_routes = local_routes
        self.jwt_authorizers = jwt_authorizers or {}
        self.local_posts = local_posts or {}
        self._auth_cache: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}
        self._auth_lock = threading.Lock()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="front-door", daemon=True)
        thread.start()
        return thread

    def authorize(
        self, authorizer: str, header: str, event: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The authorizer's context, or None if it refused; cached per credential, as on AWS."""
        cache_key = (authorizer, header)
        now = time.monotonic()
        with self._auth_lock:
            cached = self._auth_cache.get(cache_key)
        if cached and now - cached[0] < AUTHORIZER_CACHE_SECONDS:
            return cached[1]
        answer = self.functions.invoke(self.authorizers[authorizer], event)
        context = (answer.get("context") or {}) if answer.get("isAuthorized") else None
        with self._auth_lock:
            self._auth_cache[cache_key] = (now, context)
        return context


class FrontDoorHandler(BaseHTTPRequestHandler):
    server: FrontDoor
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, QUERY, …) reaches no route, as on API Gateway (404), rather
        # than http.server's 501, which would read as the stack's failure.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _reply(
        self, status: int, body: bytes, headers: dict[str, str], cookies: list[str] | None = None
    ) -> None:
        # A client that gave up waiting (a health probe's 2 s timeout on a busy machine) has hung
        # up; there is no one to answer, and its traceback would read as the stack's failure.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            for cookie in cookies or []:  # payload 2.0: each becomes a Set-Cookie header
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":  # a HEAD answer has headers only
                self.wfile.write(body)

    def _json(self, status: int, body: Any) -> None:
        self._reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _handle(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            # An HTTP API routes on, and hands the function, the percent-decoded path.
            path = unquote(url.path, errors="strict")
        except UnicodeDecodeError:
            return self._json(400, {"message": "Bad Request"})
        url = url._replace(path=path)
        if url.path in self.server.local_routes and self.command == "GET":
            return self._json(200, self.server.local_routes[url.path]())
        if url.path in self.server.local_posts and self.command == "POST":
            return self._json(*self.server.local_posts[url.path](raw))
        # A trailing slash no route takes is tried without it (/console/ is the console's root).
        paths = [url.path] + ([url.path.rstrip("/")] if url.path.endswith("/") else [])
        # Routes outer: a plain route for the path without its slash comes before a greedy one
        # (the catch-all) that would take it with the slash.
        for compiled in self.server.routes:
            for path in paths:
                params = compiled.match(self.command, path)
                if params is not None:
                    return self._route(compiled.route, params, path, url.query, raw)
        return self._json(404, {"message": "Not Found"})

    def _event(
        self, route: Route, params: dict[str, str], path: str, query: str, raw: bytes
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        query_params: dict[str, str] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            query_params[name] = f"{query_params[name]},{value}" if name in query_params else value
        try:
            body: str | None = raw.decode() if raw else None
            encoded = False
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(raw).decode(), True
        route_key = f"{route.method} {route.path}"
        # Payload 2.0 hands cookies over as a list, not as a header.
        cookie_header = headers.pop("cookie", "")
        cookies = [c.strip() for c in cookie_header.replace(",", ";").split(";") if c.strip()]
        return {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "queryStringParameters": query_params or None,
            "pathParameters": params or None,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": headers.get("host", "127.0.0.1"),
                "http": {
                    "method": self.command,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": self.client_address[0],
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route_key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
                "timeEpoch": int(time.time() * 1000),
            },
            "body": body,
            "isBase64Encoded": encoded,
            **({"cookies": cookies} if cookies else {}),
        }

    def _route(
        self, route: Route, params: dict[str, str], path: str, query: str, raw: bytes
    ) -> None:
        event = self._event(route, params, path, query, raw)
        if route.authorizer in self.server.jwt_authorizers:
            # API Gateway answers 401 itself for a missing or invalid token.
            header = event["headers"].get("authorization")
            claims = self.server.jwt_authorizers[route.authorizer].claims(header)
            if claims is None:
                return self._json(401, {"message": "Unauthorized"})
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        elif route.authorizer:
            header = event["headers"].get("authorization")
            if not header:
                return self._json(401, {"message": "Unauthorized"})
            auth_event = {
                "version": "2.0",
                "type": "REQUEST",
                "routeArn": f"{LOCAL_API_ARN}/$default/{route.method}{route.path}",
                "identitySource": [header],
                "routeKey": event["routeKey"],
                "rawPath": path,
                "headers": event["headers"],
                "requestContext": event["requestContext"],
            }
            try:
                context = self.server.authorize(route.authorizer, header, auth_event)
            except InvocationError:
                return self._json(500, {"message": "Internal Server Error"})
            if context is None:
                return self._json(403, {"message": "Forbidden"})
            event["requestContext"]["authorizer"] = {"lambda": context}
        try:
            result = self.server.functions.invoke(route.function, event)
        except InvocationError:
            return self._json(500, {"message": "Internal Server Error"})
        if not isinstance(result, dict) or "statusCode" not in result:
            return self._json(200, result)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return self._reply(
            int(result["statusCode"]),
            data,
            dict(result.get("headers") or {}),
            list(result.get("cookies") or []),
        )
