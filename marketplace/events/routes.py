"""HTTP endpoints of events."""

from flask_login import current_user

from marketplace.accounts.auth import allow_suspended
from marketplace.events import schemas, service, webhooks
from marketplace.extensions import Blueprint
from marketplace.pagination import PageArgsSchema, page_schema

blp = Blueprint(
    "events", __name__, url_prefix="/api/v1", description="Events and webhook endpoints"
)


@blp.get("/events")
@blp.arguments(schemas.EventQueryArgsSchema, location="query")
@blp.response(200, schemas.EventPageSchema)
@allow_suspended
def list_events(args):
    """The caller's events, oldest first (admins: one copy of every event, shaped for admins)."""
    return service.list_events(current_user, **args)


@blp.get("/events/<id:event_id>")
@blp.response(200, schemas.EventSchema)
def get_event(event_id):
    """One event (its recipient; admins: any)."""
    return service.get_event(current_user, event_id)


@blp.post("/webhook-endpoints")
@blp.arguments(schemas.WebhookEndpointCreateSchema)
@blp.response(201, schemas.WebhookEndpointSecretSchema)
def create_webhook_endpoint(data):
    """Add a webhook endpoint (at most 10); its secret is shown this once."""
    return webhooks.create_endpoint(current_user, data)


@blp.get("/webhook-endpoints")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(schemas.WebhookEndpointSchema))
def list_webhook_endpoints(args):
    """The caller's webhook endpoints, newest first."""
    return webhooks.list_endpoints(current_user, **args)


@blp.get("/webhook-endpoints/<id:endpoint_id>")
@blp.response(200, schemas.WebhookEndpointSchema)
def get_webhook_endpoint(endpoint_id):
    """One of the caller's webhook endpoints."""
    return webhooks.get_endpoint(current_user, endpoint_id)


@blp.patch("/webhook-endpoints/<id:endpoint_id>")
@blp.arguments(schemas.WebhookEndpointUpdateSchema)
@blp.response(200, schemas.WebhookEndpointSchema)
def update_webhook_endpoint(changes, endpoint_id):
    """Change an endpoint's url, events, description or enabled."""
    return webhooks.update_endpoint(current_user, endpoint_id, changes)


@blp.delete("/webhook-endpoints/<id:endpoint_id>")
@blp.response(204)
def delete_webhook_endpoint(endpoint_id):
    """Remove a webhook endpoint."""
    webhooks.delete_endpoint(current_user, endpoint_id)


@blp.get("/webhook-endpoints/<id:endpoint_id>/deliveries")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(schemas.WebhookAttemptSchema))
def list_webhook_deliveries(args, endpoint_id):
    """The endpoint's delivery attempts, newest first."""
    return webhooks.list_attempts(current_user, endpoint_id, **args)


@blp.post("/webhook-endpoints/<id:endpoint_id>/test")
@blp.response(200, schemas.WebhookEndpointSchema)
def test_webhook_endpoint(endpoint_id):
    """Queue a `ping` to this endpoint only (not in the feed)."""
    return webhooks.send_test(current_user, endpoint_id)


@blp.post("/webhook-endpoints/<id:endpoint_id>/rotate-secret")
@blp.response(200, schemas.WebhookEndpointSecretSchema)
def rotate_webhook_secret(endpoint_id):
    """A new secret, shown once; the old one keeps signing for 24 hours."""
    return webhooks.rotate_secret(current_user, endpoint_id)
