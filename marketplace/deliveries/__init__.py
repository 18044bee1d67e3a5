"""Data-entry deliveries: record schemas, checked deliveries and their records."""
