# English pages on a Beijing site: the 24-hour clock and ISO short dates, never 11/24/2026 5:58 p.m.
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
