"""Words for people: counts with the right plural, shared by the command line and the window."""


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``, ``1,204 documents``; ``plural`` for nouns that do not just add s."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
