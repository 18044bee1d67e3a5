"""HTTP endpoints of jobs."""

from flask_login import current_user

from marketplace.accounts.auth import roles
from marketplace.accounts.models import Role
from marketplace.extensions import Blueprint
from marketplace.jobs import schemas, service
from marketplace.pagination import page_response, page_schema

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Jobs companies post")


@blp.post("/jobs")
@blp.arguments(schemas.JobCreateSchema)
@blp.response(201, schemas.JobSchema)
@roles(Role.CLIENT)
def post_job(data):
    """Post a data-entry job (clients only)."""
    return service.post_job(current_user, data)


@blp.get("/jobs")
@blp.arguments(schemas.JobQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.JobSchema))
def list_jobs(args):
    """Find jobs: open ones by default; full-text `q`, skills, currency, budget, client."""
    return page_response(service.list_jobs(args))


@blp.get("/jobs/<id:job_id>")
@blp.response(200, schemas.JobSchema)
def get_job(job_id):
    """One job."""
    return service.get_job(job_id)


@blp.patch("/jobs/<id:job_id>")
@blp.arguments(schemas.JobUpdateSchema)
@blp.response(200, schemas.JobSchema)
def update_job(changes, job_id):
    """Edit a job while it is open (its client only)."""
    return service.update_job(current_user, job_id, changes)


@blp.post("/jobs/<id:job_id>/close")
@blp.response(200, schemas.JobSchema)
def close_job(job_id):
    """Close an open job; its pending bids are declined."""
    return service.close_job(current_user, job_id)
