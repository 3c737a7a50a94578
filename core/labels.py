"""A code people read: shown as words when no name is given for it."""


def code_as_words(code: str) -> str:
    """ "home_equity_line" -> "Home equity line"; never the raw code."""
    return code.replace("_", " ").strip().capitalize() or code
