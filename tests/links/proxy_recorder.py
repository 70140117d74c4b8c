"""A proxy.py plugin for the tests: appends "METHOD host port" of every request the proxy
forwards (or tunnels, for CONNECT) to the file named by CORPUSLINT_TEST_PROXY_LOG.

proxy.py runs its plugins in its own workers, so the record goes through a file.
"""

from __future__ import annotations

import os

from proxy.http.proxy import HttpProxyBasePlugin


class Recorder(HttpProxyBasePlugin):
    def before_upstream_connection(self, request):  # type: ignore[no-untyped-def]
        host = (request.host or b"").decode("ascii", "replace")
        method = (request.method or b"").decode("ascii", "replace")
        with open(os.environ["CORPUSLINT_TEST_PROXY_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{method} {host} {request.port}\n")
        return request
