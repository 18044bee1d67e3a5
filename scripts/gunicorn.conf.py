"""gunicorn settings for scripts/serve: how many processes, decided by where limits are counted."""

from marketplace.config import from_env

settings = from_env()

bind = f"127.0.0.1:{settings['PORT']}"
accesslog = "-"
# Threaded workers: gunicorn kills a worker silent past its timeout (30 s), and a sync
# worker reading a 25 MiB upload from a slow connection is silent for as long as that
# takes; a threaded worker's main loop keeps reporting while a thread reads the body.
worker_class, threads = "gthread", 8
# Limits counted in process memory would count once per worker: one process; a shared
# store (RATELIMIT_STORAGE_URI or REDIS_URL) counts for every worker: two.
workers = 1 if settings["RATELIMIT_STORAGE_URI"].startswith("memory://") else 2
# The app answers request targets over 4,096 bytes with a problem+json 414 of its own;
# gunicorn's own (HTML) 414 is left only for lines past 8,190 bytes, its hard maximum.
limit_request_line = 8190
# No gunicorn control socket: it is one fixed path per user, and the demo does not use it.
control_socket_disable = True
