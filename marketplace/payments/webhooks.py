"""Stripe's webhook endpoint: a thin entry point. The adapter checks the signature and
parses the event (stripe_gateway.parse_event); payments/events.py acts on it once."""

from flask import current_app, request

from marketplace.accounts.auth import public
from marketplace.extensions import Blueprint
from marketplace.idempotency import exempt
from marketplace.inputs import raw_body
from marketplace.payments import events
from marketplace.payments.schemas import WebhookReceiptSchema
from marketplace.payments.stripe_gateway import parse_event

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Provider webhooks")


@blp.post("/webhooks/stripe")
@blp.doc(
    parameters=[
        {
            "name": "Stripe-Signature",
            "in": "header",
            "required": True,
            "description": '`t=<unix time>,v1=<HMAC-SHA256 of "t.body">`, Stripe\'s scheme.',
            "schema": {"type": "string"},
        }
    ],
    requestBody={
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A Stripe event, exactly as Stripe signed it.",
                    "required": ["id", "type", "data"],
                    "properties": {
                        "id": {"type": "string"},
                        "type": {"type": "string"},
                        "data": {
                            "type": "object",
                            "required": ["object"],
                            "properties": {"object": {"type": "object"}},
                        },
                    },
                }
            }
        },
    },
)
@blp.response(200, WebhookReceiptSchema)
@public
@exempt
@raw_body
def stripe_webhook():
    """Receive a signed Stripe event (each event id is handled once).

    The platform's endpoint and the Connect one (events of connected accounts) may both
    point here: each signs with its own secret (STRIPE_WEBHOOK_SECRETS)."""
    config = current_app.config
    event = parse_event(
        request.get_data(cache=True),
        request.headers.get("Stripe-Signature", ""),
        [*config.get("STRIPE_WEBHOOK_SECRETS", ()), config["STRIPE_WEBHOOK_SECRET"]],
    )
    return events.handle(event)
