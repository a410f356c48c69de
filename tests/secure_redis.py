"""The Redis behind a password and TLS that .ci/run starts, as production's is.

SECURE_REDIS_URL names it: rediss://:PASSWORD@HOST:PORT/0?ssl_cert_reqs=required
&ssl_ca_certs=CA. Tests that need it are skipped without it, except under
.ci/run, which sets SECURE_REDIS_REQUIRED so that a missing server fails.
"""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

ENV = "SECURE_REDIS_URL"


def url(*, db: int = 0, password: str | None = None, ca: bool = True) -> str:
    """Its URL for database `db`; `password` replaces the real one ("" for
    none), `ca=False` leaves out the certificate authority to check it by."""
    base = os.environ.get(ENV, "")
    if not base.startswith("rediss://"):
        message = f"needs Redis with a password and TLS: set {ENV} (see tests/secure_redis.py)"
        if os.environ.get("SECURE_REDIS_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    parts = urlsplit(base)
    netloc = parts.netloc
    if password is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f":{password}@{host}" if password else host
    query = [(key, value) for key, value in parse_qsl(parts.query) if ca or key != "ssl_ca_certs"]
    return urlunsplit((parts.scheme, netloc, f"/{db}", urlencode(query), ""))


def plain_url(*, db: int = 0) -> str:
    """The same server and password without TLS: redis:// to the TLS port."""
    return url(db=db).replace("rediss://", "redis://", 1).split("?", 1)[0]
