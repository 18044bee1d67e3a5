"""Who may see and change a job's source files.

Its client, the freelancer of its contract and admins see every file of a job; while
the job is open, files marked `sample` are shown to every signed-in user too, so that
bidders can judge the work. Only the job's client adds files, and removes them while
the job is open.
"""

from marketplace.accounts.models import User
from marketplace.jobs.models import Job
from marketplace.states import JobStatus


def sees_every_file(user: User, job: Job, freelancer_id: int | None) -> bool:
    """The job's client, the freelancer of its contract (if any), admins."""
    return user.is_admin or user.id in (job.client_id, freelancer_id)


def sees_samples(job: Job) -> bool:
    """Whether the job's sample files are shown to every signed-in user."""
    return job.status == JobStatus.OPEN


def can_view_file(user: User, job: Job, freelancer_id: int | None, *, sample: bool) -> bool:
    return sees_every_file(user, job, freelancer_id) or (sample and sees_samples(job))


def can_change_files(user: User, job: Job) -> bool:
    """Adding and removing files is for the job's client alone."""
    return user.id == job.client_id


def can_remove_files_now(job: Job) -> bool:
    """Files stay once work may have started on them: only an open job loses files."""
    return job.status == JobStatus.OPEN
