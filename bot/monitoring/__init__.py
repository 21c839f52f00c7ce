"""What the running bot tells its operators: metrics for Prometheus and log records (docs/operations.md,
"Metrics" and "Logging"). It imports nothing of the rest of `bot`, so every part may use it."""
