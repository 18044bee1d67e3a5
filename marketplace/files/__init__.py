"""Source files: what a job's client attaches to be keyed in (scans, PDFs, spreadsheets)."""
