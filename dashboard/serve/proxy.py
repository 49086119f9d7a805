"""HAProxy in front of the class command's dashboard processes (dashboard.serve): its configuration, and where
Debian installs it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

COOKIE = "lenet-replica"  # HAProxy's stickiness cookie: which replica holds this browser's session


def haproxy_config(host: str, port: int, backends: list[tuple[str, str, int]], stats: Path | None = None) -> str:
    """HAProxy's configuration: one HTTP frontend, sticky by cookie, health-checked replicas (name, host, port);
    stats: a Unix socket for `show stat` (sessions per replica). The same text serves several machines: give
    backends on other hosts (docs/deployment.md)."""
    servers = "\n".join(f"    server {name} {h}:{p} check cookie {name}" for name, h, p in backends)
    socket_line = f"\n    stats socket {stats} mode 600 level user" if stats else ""
    return f"""global
    maxconn 4000{socket_line}

defaults
    mode http
    option dontlognull
    retries 2
    option redispatch
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 15s
    # a student's websocket stays open for the whole lecture
    timeout tunnel 4h

frontend class
    bind {host}:{port}
    default_backend replicas
    # Streamlit sends its ~8 MB of scripts uncompressed; a hall's Wi-Fi carries them to every student once
    compression algo gzip
    compression type text/html text/css text/javascript application/javascript application/json image/svg+xml

backend replicas
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET /_stcore/health
    http-check expect string ok
    default-server inter 2s fall 2 rise 1
{servers}
"""


def find_haproxy() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
                                            if os.access(p, os.X_OK)), None)
