"""What every export shares: a text cell a spreadsheet would run as a formula is neutralised."""

# A cell that begins with one of these is a formula to Excel, LibreOffice and Google Sheets; tab and
# carriage return are in OWASP's list too ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula, prefixed with a single quote so it is
    shown as typed; anything else unchanged. Used by every export (the console's and the board's)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
