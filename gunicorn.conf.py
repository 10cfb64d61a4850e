"""Gunicorn settings for the `web` process (read automatically from the working directory)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
# Cooperative workers: each holds hundreds of open widget streams (SSE) at once.
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = 1000
timeout = 30
graceful_timeout = 10
accesslog = "-"
# Never log query strings: nothing secret goes in URLs, but keep access lines short and safe.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
loglevel = os.environ.get("LOG_LEVEL", "info")


def post_fork(server, worker):
    import config

    config.configure_logging(loglevel)
