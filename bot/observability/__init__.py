"""What the running bot tells its operators: metrics, logs and the health report."""
