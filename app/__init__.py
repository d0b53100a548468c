"""The Dossier core: archive facade, SQLite store, import pipeline and CLI. No Qt here."""
