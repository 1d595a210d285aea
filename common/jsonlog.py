"""One JSON object a line, for the operator's log system (settings.LOGGING's "json" formatter)."""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """The record's time (UTC, ISO 8601), level, logger and message, and the fields of its
    `security_event` (or any dict passed as `extra={"fields": ...}`) at the top level."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "security_event", {}),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
