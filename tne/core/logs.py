"""Log lines a machine can read: one JSON object per line (time, level, logger, message, and the
request, the job, the exception when there is one), for the log collector of an instance.
``TNE_LOG_FORMAT=text`` keeps the plain lines of a terminal (the demo)."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has: the others were added by ``extra=`` and go in the line too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            user = getattr(request, "user", None)
            line["request"] = {
                "method": request.method,
                "path": request.path,
                "user_id": getattr(user, "pk", None),
            }
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status"] = status
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in {"request", "status_code"}:
                line[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
