"""Who made a change, for django-simple-history's record of it."""


def audited(instance, actor, reason=None):
    """Name the actor (and the reason) in the history record the next save of `instance` writes:
    services also run outside a request, where simple_history's middleware knows no user."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason[:100]
    return instance
