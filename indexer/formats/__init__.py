"""One module per supported file format; each turns raw bytes into an :class:`~indexer.types.Extracted`."""
