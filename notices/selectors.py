"""What the pages read of a user's notices."""

from django.db.models import Count

from common import sql
from notices.models import Notice

# The header's count, asked on every signed-in page: built once (common.sql.Prepared), since building
# the ORM's COUNT took longer than PostgreSQL takes to answer it from the recipient's index.
_UNREAD_OF = sql.Prepared(
    lambda recipient: (
        Notice.objects.filter(recipient_id=recipient, read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("unread")
        .order_by()
    ),
    fields=sql.fields_of(Notice, "id"),
    recipient=sql.STAND_IN_ID,
)


def unread_notice_count(user):
    """How many of the user's notices they have not read."""
    found = _UNREAD_OF.rows(recipient=user.pk)
    return found[0][0] if found else 0
