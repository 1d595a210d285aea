"""Who made a change, and why, for django-simple-history's record of it."""

from common.messages import to_db


def audited(instance, actor, reason=None):
    """Name the actor (and the reason) in the history record the next save of `instance` writes:
    services also run outside a request, where simple_history's middleware knows no user.

    The reason is stored as a MessageField stores it: a message the system wrote (common.messages)
    as its key and parameters, read in the reader's language (the |message_text filter), and text
    a person typed as typed, whole (the change reason is a text column)."""
    instance._history_user = actor
    if reason:
        instance._change_reason = to_db(reason)
    return instance
