"""Backup and restore of a whole site: the database, public media and private documents.

docs/backup.md is the operator's guide; `core` holds the pieces the three commands share.
"""
