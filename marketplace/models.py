"""Every feature's models, so that the metadata (and Alembic) sees all tables."""

from marketplace.accounts.models import ApiToken, BrowserSession, User
from marketplace.database import Base
from marketplace.idempotency import IdempotencyRecord

__all__ = ["ApiToken", "Base", "BrowserSession", "IdempotencyRecord", "User"]
