"""Headers on every response: security policy and the htmx cache key."""

from __future__ import annotations

from flask import Flask, request, session

# No inline script anywhere; htmx injects its indicator style, Pico uses data: icons.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # The app uses none of the browser's powerful features.
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "interest-cohort=()"
    ),
}


def register(app: Flask) -> None:
    @app.after_request
    def common_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # A signed-in page is nobody else's: no cache keeps it (static files may).
        # The session's user id tells, without loading the user from a database
        # that may be the reason this response is an error.
        if session.get("_user_id") and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        # Any URL may answer a fragment to htmx and a page to a browser: caches
        # and the back button must tell them apart (redirects included).
        response.vary.add("HX-Request")
        response.vary.add("HX-Request-Type")
        return response
