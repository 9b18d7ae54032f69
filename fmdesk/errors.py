"""Errors a user can act on.

`UserError` and its subclasses carry a message written for the person at the keyboard: what
happened and what to do. Anything else that escapes is a bug, and is logged rather than shown.
"""


class UserError(Exception):
    """Something the user can put right; `str(exc)` says what happened and what to do."""


class ValidationError(UserError):
    """A record or definition file does not meet its rules; the message names the field."""


class Cancelled(Exception):
    """The user cancelled a long-running job; presenters stay silent about it."""
