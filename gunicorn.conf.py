"""gunicorn settings for Alongside (``make serve``; docs/deployment.md).

Read by gunicorn from the working directory. Each value can be changed through the
environment; every worker is a separate process sharing nothing but the database
(sessions, the cache for rate limits, background tasks all live there).
"""

import multiprocessing
import os

# Loopback by default: a TLS-terminating proxy (nginx, Caddy) on the same machine is the
# only thing that should reach the app server.
bind = os.environ.get("ALONGSIDE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ALONGSIDE_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# The app is loaded once, before the workers fork: they start at once and share memory.
# Upgrades therefore need a restart (systemctl restart), not a HUP.
preload_app = True
# A request that takes longer than this is killed and logged (a stuck query, not a slow page).
timeout = int(os.environ.get("ALONGSIDE_WEB_TIMEOUT", 60))
graceful_timeout = 30
# Recycling workers now and then bounds the memory a long-lived process can gather.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy on this machine may say a request came over HTTPS (with
# ALONGSIDE_BEHIND_PROXY=1, Django then trusts X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("ALONGSIDE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, not on a disk that may stall.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# Access lines: path without the query string (a search may hold a person's name), status,
# size and seconds taken; to stdout, errors to stderr, for the service manager's journal.
# ALONGSIDE_ACCESS_LOG= (empty) turns access lines off.
accesslog = os.environ.get("ALONGSIDE_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(L)s'
errorlog = "-"
wsgi_app = "alongside.wsgi:application"
