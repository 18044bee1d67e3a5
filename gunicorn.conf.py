"""gunicorn settings read whenever gunicorn starts from the repository root."""

# The app answers request targets over 4,096 bytes with a problem+json 414 of its own;
# gunicorn's own (HTML) 414 is left only for lines past 8,190 bytes, its hard maximum.
limit_request_line = 8190
