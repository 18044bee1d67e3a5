"""Data-entry deliveries: the record schema a job asks for, and what is checked against it.

A lower layer than jobs: it knows records and their schema, not who posts or pays.
"""
