"""Test-only endpoints that exercise generic machinery (idempotency, error pages).

Real endpoints get the same machinery; these let its tests control timing, side
effects and failures precisely.
"""

import threading

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from marketplace.database import may_write
from marketplace.errors import Conflict
from marketplace.transactions import writes

probe = Blueprint("probe", __name__, url_prefix="/api/v1/_probe")

calls: list[dict] = []
gate = threading.Event()
entered = threading.Event()


@probe.post("/notes")
def create_note():
    calls.append({"user": current_user.id, "body": request.get_json(silent=True)})
    return jsonify(id=len(calls), body=request.get_json(silent=True)), 201


@probe.post("/slow")
def slow():
    entered.set()
    gate.wait(timeout=10)
    return jsonify(done=True), 201


@probe.post("/conflict")
def conflict():
    calls.append({"user": current_user.id})
    raise Conflict("Probe conflict.")


@probe.post("/crash")
def crash():
    calls.append({"user": current_user.id})
    raise RuntimeError("secret internal detail: SELECT * FROM users")


@probe.post("/unavailable")
def unavailable():
    calls.append({"user": current_user.id})
    abort(503)


@probe.get("/intent")
def read_intent():
    return jsonify(may_write=may_write.get())


@probe.get("/intent-writes")
@writes
def write_intent():
    return jsonify(may_write=may_write.get())
