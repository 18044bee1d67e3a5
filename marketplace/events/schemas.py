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
