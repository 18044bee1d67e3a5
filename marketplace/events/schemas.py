"""The JSON shapes of events."""

from marshmallow import Schema, fields, pre_dump, validate

from marketplace.events.types import EVENT_TYPES
from marketplace.pagination import PageArgsSchema


class EventDataSchema(Schema):
    object = fields.Dict(
        required=True,
        metadata={
            "description": "The resource in its new state, as its own endpoint returns it "
            "to this recipient (a bid, contract, milestone, dispute, message, ledger line, "
            "review, user or webhook endpoint)."
        },
    )


class EventSchema(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"enum": list(EVENT_TYPES)})
    created_at = fields.DateTime(required=True)
    data = fields.Nested(EventDataSchema, required=True)

    @pre_dump
    def _envelope(self, event, **_kwargs) -> dict:
        # Stored is the object alone; it is shown inside `data`, as Standard Webhooks does.
        return {
            "id": event.id,
            "type": event.type,
            "created_at": event.created_at,
            "data": {"object": event.data},
        }


class EventQueryArgsSchema(PageArgsSchema):
    type = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        metadata={"description": "Only events of these types (repeatable)."},
    )


class EventPageSchema(Schema):
    data = fields.List(fields.Nested(EventSchema), required=True)
    next_cursor = fields.String(
        required=True,
        metadata={
            "description": "Always given: the next page, or, after the last event, where "
            "to poll from for new ones."
        },
    )


EVENT_CHOICES = [*EVENT_TYPES, "*"]


def _events_field(**kwargs):
    return fields.List(
        fields.String(validate=validate.OneOf(EVENT_CHOICES)),
        validate=validate.Length(min=1, max=len(EVENT_CHOICES)),
        metadata={"description": 'Event types to send, or ["*"] for every type.'},
        **kwargs,
    )


class WebhookEndpointCreateSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    events = _events_field(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=500))


class WebhookEndpointUpdateSchema(Schema):
    url = fields.String(validate=validate.Length(min=1, max=2000))
    events = _events_field()
    description = fields.String(validate=validate.Length(max=500))
    enabled = fields.Boolean()


class WebhookEndpointSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    description = fields.String(required=True)
    enabled = fields.Boolean(
        required=True,
        metadata={"description": "false once deliveries failed for about two days, or by PATCH"},
    )
    created_at = fields.DateTime(required=True)


class WebhookEndpointSecretSchema(WebhookEndpointSchema):
    secret = fields.String(
        required=True,
        metadata={"description": "The signing secret (Standard Webhooks `whsec_...`), shown once."},
    )


class WebhookAttemptSchema(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null for a test ping"}
    )
    attempt = fields.Integer(required=True)
    status_code = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null when none came back"}
    )
    error = fields.String(required=True, allow_none=True)
    duration_ms = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
