"""HTTP endpoints of the admin tools. Everyone but an admin gets 403."""

from flask_login import current_user

from marketplace.accounts.auth import roles
from marketplace.accounts.models import Role
from marketplace.admin import schemas, service
from marketplace.extensions import Blueprint
from marketplace.pagination import page_schema

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Admin tools")


@blp.get("/users")
@blp.arguments(schemas.UserQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.AdminUserSchema))
@roles(Role.ADMIN)
def list_users(args):
    """All accounts, filtered by `q` (name or email), `role`, `status`."""
    return service.list_users(current_user, **args)


@blp.post("/users/<id:user_id>/suspend")
@blp.arguments(schemas.SuspendSchema)
@blp.response(200, schemas.AdminUserSchema)
@roles(Role.ADMIN)
def suspend(data, user_id):
    """Suspend an account: pending bids withdrawn, open jobs closed."""
    return service.suspend(current_user, user_id, data["reason"])


@blp.post("/users/<id:user_id>/reinstate")
@blp.response(200, schemas.AdminUserSchema)
@roles(Role.ADMIN)
def reinstate(user_id):
    """Lift an account's suspension."""
    return service.reinstate(current_user, user_id)


@blp.get("/audit-log")
@blp.arguments(schemas.AuditQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.AuditEntrySchema))
@roles(Role.ADMIN)
def audit_log(args):
    """Every admin action and money movement, newest first."""
    return service.audit_log(current_user, **args)


@blp.get("/ledger/verify")
@blp.response(200, schemas.LedgerCheckSchema)
@roles(Role.ADMIN)
def verify_ledger():
    """Check every invariant of the ledger."""
    return service.check_ledger(current_user)


@blp.get("/operations")
@blp.arguments(schemas.OperationQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.OperationSchema))
@roles(Role.ADMIN)
def list_operations(args):
    """Calls to the payment provider, newest first; filter `status` to find pending ones."""
    return service.list_operations(current_user, **args)


@blp.post("/operations/<id:operation_id>/recover")
@blp.response(200, schemas.OperationSchema)
@roles(Role.ADMIN)
def recover_operation(operation_id):
    """Ask the provider what became of a pending call and book it."""
    return service.recover_operation(current_user, operation_id)


@blp.get("/reconciliation")
@blp.response(200, schemas.ReconciliationSchema)
@roles(Role.ADMIN)
def reconciliation():
    """Compare the payment provider's records of every milestone with the ledger."""
    return service.reconcile(current_user)
