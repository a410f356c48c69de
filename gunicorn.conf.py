"""gunicorn settings, read by `gunicorn config.wsgi` from this folder (the
Procfile's web process and the load benchmark alike).

Threads, not one request per process: signing in checks a PBKDF2 hash of
1.5 million iterations on purpose (about 0.3 s of CPU), and hashlib releases
the GIL while it runs. With sync workers every page request queued behind
whole sign-ins (benchmarks/RESULTS.md, load: p95 537 ms over all requests);
with threads the pages are served alongside them.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
