"""Webhook endpoints: their owners manage them; the worker fans events out and sends them.

Deliveries follow Standard Webhooks: the event JSON, signed with each endpoint's secret
(and, for a day after a rotation, its old one too). A failed delivery is tried again on
RETRY_DELAYS; when those run out the endpoint is disabled and its owner hears so.
"""

import base64
import json
import secrets
import time
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from standardwebhooks.webhooks import Webhook

from marketplace.accounts.models import Role, User
from marketplace.database import utcnow
from marketplace.errors import Conflict, ValidationFailed
from marketplace.events import outbound
from marketplace.events import service as events
from marketplace.events.models import (
    Event,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
)
from marketplace.events.types import PING
from marketplace.extensions import db
from marketplace.lookup import one_or_404
from marketplace.pagination import SortKey, paginate

MAX_ENDPOINTS = 10
OLD_SECRET_HOURS = 24
# After the first attempt fails: about two days in all, then the endpoint is disabled.
RETRY_DELAYS = tuple(
    timedelta(seconds=s)
    for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600)
)
# A worker holds the deliveries it took this long; one that died lets them go then.
LEASE = timedelta(seconds=60)
ATTEMPTS_NEWEST_FIRST = (SortKey(WebhookAttempt.id),)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"])


def _check_url(url: str) -> None:
    try:
        outbound.check(url, allow_private=_allow_private())
    except outbound.RefusedUrl as error:
        raise ValidationFailed({"url": [f"Webhooks cannot be sent there: {error}."]}) from None


def endpoint_json(endpoint: WebhookEndpoint) -> dict:
    from marketplace.events.schemas import WebhookEndpointSchema

    return WebhookEndpointSchema().dump(endpoint)


def _with_secret(endpoint: WebhookEndpoint) -> dict:
    """The endpoint's fields and its secret, for the one answer that shows it."""
    fields = ("id", "url", "events", "description", "enabled", "created_at", "secret")
    return {name: getattr(endpoint, name) for name in fields}


def create_endpoint(user: User, data: dict) -> dict:
    """A new endpoint of the user's, with its secret (shown this once)."""
    _check_url(data["url"])
    # The owner's row, locked: two requests at once cannot both make the tenth.
    db.session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    count = select(func.count()).where(WebhookEndpoint.user_id == user.id)
    if (db.session.scalar(count) or 0) >= MAX_ENDPOINTS:
        raise Conflict(f"A user may have at most {MAX_ENDPOINTS} webhook endpoints.")
    endpoint = WebhookEndpoint(
        user_id=user.id,
        url=data["url"],
        events=data["events"],
        description=data.get("description", ""),
        enabled=True,
        secret=new_secret(),
    )
    db.session.add(endpoint)
    db.session.commit()
    return _with_secret(endpoint)


def get_endpoint(user: User, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    """One of the user's endpoints; anyone else's does not exist."""
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.user_id == user.id
    )
    return one_or_404(stmt, WebhookEndpoint, lock=lock, what="webhook endpoint")


def list_endpoints(user: User, *, limit: int, cursor: str | None):
    """The user's endpoints, newest first."""
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.user_id == user.id)
    keys = (SortKey(WebhookEndpoint.created_at), SortKey(WebhookEndpoint.id))
    return paginate(db.session, stmt, keys, limit=limit, cursor=cursor)


def update_endpoint(user: User, endpoint_id: int, changes: dict) -> WebhookEndpoint:
    """Change an endpoint's url, events, description or whether it is enabled."""
    endpoint = get_endpoint(user, endpoint_id, lock=True)
    if "url" in changes:
        _check_url(changes["url"])
    for field in ("url", "events", "description", "enabled"):
        if field in changes:
            setattr(endpoint, field, changes[field])
    db.session.commit()
    return endpoint


def delete_endpoint(user: User, endpoint_id: int) -> None:
    """Remove an endpoint and what it had still to send."""
    endpoint = get_endpoint(user, endpoint_id, lock=True)
    db.session.delete(endpoint)
    db.session.commit()


def rotate_secret(user: User, endpoint_id: int, now: datetime | None = None) -> dict:
    """A new secret, shown once; the old one signs beside it for 24 hours."""
    endpoint = get_endpoint(user, endpoint_id, lock=True)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = (now or utcnow()) + timedelta(hours=OLD_SECRET_HOURS)
    endpoint.secret = new_secret()
    db.session.commit()
    return _with_secret(endpoint)


def send_test(user: User, endpoint_id: int) -> WebhookEndpoint:
    """Queue a `ping` to this endpoint only (it is not in the feed)."""
    endpoint = get_endpoint(user, endpoint_id)
    now = utcnow()
    message_id = f"ping_{uuid.uuid4().hex}"
    payload = {
        "id": message_id,
        "type": PING,
        "created_at": now.isoformat(),
        "data": {"object": endpoint_json(endpoint)},
    }
    db.session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=None,
            message_id=message_id,
            payload=payload,
            next_attempt_at=now,
        )
    )
    db.session.commit()
    return endpoint


def list_attempts(user: User, endpoint_id: int, *, limit: int, cursor: str | None):
    """The endpoint's delivery attempts, newest first."""
    endpoint = get_endpoint(user, endpoint_id)
    stmt = select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint.id)
    return paginate(db.session, stmt, ATTEMPTS_NEWEST_FIRST, limit=limit, cursor=cursor)


# -- the worker's side --------------------------------------------------------------------


def _wants(endpoint: WebhookEndpoint, type: str) -> bool:
    return "*" in endpoint.events or type in endpoint.events


def fan_out(now: datetime | None = None, batch: int = 500) -> int:
    """Turn events written since the last fan-out into deliveries; returns how many.

    Event ids are given in commit order (events.service), so reading on from the last id
    seen misses none. The fan-out row is locked: one worker at a time does this.
    """
    now = now or utcnow()
    locked = select(WebhookFanout).where(WebhookFanout.id == 1).with_for_update()
    state = db.session.scalar(locked)
    if state is None:
        # The first fan-out of a database; two workers at once: one fails here, and
        # tries again in its next round.
        db.session.add(WebhookFanout(id=1, last_event_id=0))
        db.session.commit()
        state = db.session.scalars(locked).one()
    found = db.session.scalars(
        select(Event).where(Event.id > state.last_event_id).order_by(Event.id).limit(batch)
    ).all()
    if not found:
        db.session.commit()
        return 0
    admin_ids: set[int] = set()
    if any(e.user_id is None for e in found):
        admin_ids = set(db.session.scalars(select(User.id).where(User.role == Role.ADMIN)))
    owners_of = {e.user_id for e in found if e.user_id is not None} | admin_ids
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.enabled.is_(True), WebhookEndpoint.user_id.in_(owners_of)
        )
    ).all()
    rows = []
    for event in found:
        owners = admin_ids if event.user_id is None else {event.user_id}
        payload = None
        for endpoint in endpoints:
            if endpoint.user_id in owners and _wants(endpoint, event.type):
                payload = payload or events.event_json(event)
                rows.append(
                    WebhookDelivery(
                        endpoint_id=endpoint.id,
                        event_id=event.id,
                        message_id=str(event.id),
                        payload=payload,
                        next_attempt_at=now,
                    )
                )
    db.session.add_all(rows)
    state.last_event_id = found[-1].id
    db.session.commit()
    return len(rows)


def claim_due(now: datetime, limit: int = 20) -> list[int]:
    """Take up to `limit` deliveries that are due and nobody holds; hold them for LEASE."""
    stmt = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookEndpoint.enabled.is_(True),
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    ids = list(db.session.scalars(stmt))
    if ids:
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .values(leased_until=now + LEASE)
        )
    db.session.commit()
    return ids


def release(ids: list[int]) -> None:
    """Let deliveries this worker took but did not send go, for another to take now."""
    if ids:
        db.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(leased_until=None)
        )
        db.session.commit()


def signature(endpoint: WebhookEndpoint, message_id: str, moment: datetime, body: str) -> str:
    """The webhook-signature header: one signature per live secret."""
    secrets_now = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and (endpoint.previous_secret_until > moment)
    ):
        secrets_now.append(endpoint.previous_secret)
    return " ".join(Webhook(s).sign(message_id, moment, body) for s in secrets_now)


def send(delivery_id: int, now: datetime) -> None:
    """Try one delivery, book the attempt, and schedule the next or give up."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return
    endpoint = db.session.get_one(WebhookEndpoint, delivery.endpoint_id)
    url, body = endpoint.url, json.dumps(delivery.payload, separators=(",", ":"))
    headers = {
        "content-type": "application/json",
        "user-agent": "marketplace-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature(endpoint, delivery.message_id, now, body),
    }
    db.session.commit()  # no transaction while the endpoint answers
    started = time.monotonic()
    answer = outbound.post(url, body.encode(), headers, allow_private=_allow_private())
    duration = int((time.monotonic() - started) * 1000)
    book_attempt(delivery_id, answer, duration, now)


def book_attempt(delivery_id: int, answer: "outbound.Answer", duration_ms: int, now: datetime):
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
    )
    if delivery is None:  # its endpoint was deleted meanwhile
        db.session.commit()
        return
    delivery.attempts += 1
    db.session.add(
        WebhookAttempt(
            endpoint_id=delivery.endpoint_id,
            delivery_id=delivery.id,
            event_id=delivery.event_id,
            attempt=delivery.attempts,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=duration_ms,
            created_at=now,
        )
    )
    delivery.leased_until = None
    if answer.error is None:
        delivery.next_attempt_at = None
    elif delivery.attempts <= len(RETRY_DELAYS):
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
    else:
        delivery.next_attempt_at = None
        _disable(delivery.endpoint_id)
    db.session.commit()


def _disable(endpoint_id: int) -> None:
    endpoint = db.session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).with_for_update()
    )
    if endpoint is None or not endpoint.enabled:
        return
    endpoint.enabled = False
    owner = db.session.get_one(User, endpoint.user_id)
    events.emit("endpoint.disabled", {owner.id: owner.role}, lambda _role: endpoint_json(endpoint))
