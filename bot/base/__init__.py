"""The ground floor: clock, settings, errors, redaction, logs, metrics, periods; no project imports."""
