"""Governments a document can be about: the offline gazetteer, custom entries, and finding mentions in text."""
