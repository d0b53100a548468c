"""Annotated bundles: a zipped BagIt bag of originals, texts, tags and annotations, with an HTML report."""
