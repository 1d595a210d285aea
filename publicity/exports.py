"""A batch's list as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese), every text cell
neutralised as the console's exports are (common.exports)."""

import csv
import io

from django.utils.translation import gettext as _

from common.exports import neutralise


def publicity_batch_csv(batch, rows):
    """The rows of one version of `batch` (as publicity_batch_rows_for_public reads them), headed in
    the active language; amounts as plain decimals, dates as ISO 8601, for a spreadsheet to read."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Declaration number"),
            _("Programme"),
            _("Programme title"),
            _("Unit"),
            _("Unified social credit code"),
            _("Project"),
            _("Approved amount (yuan)"),
            _("Status"),
            _("Publicity starts on"),
            _("Publicity ends on"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                neutralise(row.number),
                neutralise(row.programme_code),
                neutralise(row.programme_title),
                neutralise(row.unit_name),
                neutralise(row.credit_code),
                neutralise(row.title),
                f"{row.amount:.2f}",
                neutralise(str(row.state_label)),
                row.starts_on.isoformat(),
                row.ends_on.isoformat(),
            ]
        )
    return "\ufeff" + out.getvalue()
