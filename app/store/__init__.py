"""SQLite, the source of truth. All SQL in Dossier lives in this package."""
