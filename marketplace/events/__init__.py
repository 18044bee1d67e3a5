"""Events (an outbox written with each change) and the webhooks that deliver them."""
