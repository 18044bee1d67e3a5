"""HTTP endpoints of events."""

from flask_login import current_user

from marketplace.accounts.auth import allow_suspended
from marketplace.events import schemas, service
from marketplace.extensions import Blueprint

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
