"""The objects behind Flask's context-local proxies, for the hooks every request runs.

Each use of `request` or `current_app` finds its object again through a context
variable; a hook that uses one many times looks it up once with these.
"""

from flask import Flask, Request, current_app, request


def this_request() -> Request:
    return request._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy


def this_app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
