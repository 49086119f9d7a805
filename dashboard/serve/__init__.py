"""Serve a whole class from one machine: several dashboard processes behind HAProxy, on one port.

    python -m dashboard.serve --port 8501            # one process per core, plus one

One `streamlit run` holds all its sessions in one Python process, so it computes on one core at a time. This
command starts --replicas of them (one more than the cores: a process that pauses, for its garbage collector
or a burst of changes, then holds fewer students up; 100 students on 2 cores: p95 ~0.2 s with 3, 0.4–0.8 s
with 2) on free 127.0.0.1 ports and HAProxy (Debian's package `haproxy`) on --port in
front: a new browser goes to the replica with the fewest connections and keeps it (a cookie, since a lecture hall
shares one public IP address), replicas are health-checked (/_stcore/health) and one that dies is restarted,
all share one cookie secret and one models folder — through which they share the one training slot, the live
progress of the run and a lecturer's Stop (lenet.slot). Ctrl-C (or SIGTERM) stops everything it started; if this
command is killed outright, the kernel stops its processes too (PR_SET_PDEATHSIG). Replica and proxy logs go to
a folder named at start, beside HAProxy's stats socket (`echo "show stat" | socat stdio FOLDER/haproxy.sock`:
the sessions of each replica); a clean stop removes it (a failed one keeps it and says where), and the next
start removes those of commands that were killed. A run going on at Ctrl-C is stopped and its completed
epochs saved (lenet.jobs); one whose process was killed has its record set to say so (lenet.slot.Slot.settle).
"""
from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.serve.proxy import find_haproxy, haproxy_config
from lenet.i18n import _, from_environment, use

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
START_TIMEOUT_S = 180.0  # a replica's first start imports torch; a fresh clone has no bytecode yet


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_us() -> None:
    """In a child before exec: the kernel sends it SIGTERM when this command ends, however it ends."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # we died before the line above took effect
        os._exit(1)


def _addresses() -> list[str]:
    """What to put on the slide: this machine's name and its address on the network students share."""
    names = [socket.gethostname()]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 9))  # (no packet is sent: this only picks the outgoing interface)
            names.append(s.getsockname()[0])
        except OSError:
            pass  # no network: the name alone
    return names


def _taken(host: str, port: int) -> str | None:
    """Why HAProxy could not listen on host:port (e.g. another program does), or None."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as e:
        return e.strerror or str(e)
    return None


def _listening(host: str, port: int) -> bool:
    """HAProxy accepts connections (whether or not a replica is up to answer them)."""
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def answers(url: str) -> bool:
    try:
        return urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


@dataclass
class Replica:
    name: str
    port: int
    log: Path
    env: dict
    proc: subprocess.Popen | None = None
    restarts: int = 0
    retry_at: float = 0.0  # when an ended replica is started again (0: not waiting)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(self.port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_us,
                process_group=0)  # (a terminal's Ctrl-C reaches this command alone, which stops them in order)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Class:
    """Everything one serve command runs."""

    replicas: list[Replica]
    proxy_cmd: list[str]
    proxy_log: Path
    proxy: subprocess.Popen | None = None
    stopping: bool = field(default=False)

    def start(self) -> None:
        for r in self.replicas:
            r.start()
        deadline = time.time() + START_TIMEOUT_S
        for r in self.replicas:
            while not answers(r.url):
                if self.stopping:
                    return
                if r.proc.poll() is not None:
                    raise SystemExit(f"replica {r.name} exited at start (code {r.proc.returncode}); see {r.log}")
                if time.time() > deadline:
                    raise SystemExit(f"replica {r.name} did not answer within {START_TIMEOUT_S:.0f} s; see {r.log}")
                time.sleep(0.2)
        with open(self.proxy_log, "ab") as log:
            self.proxy = subprocess.Popen(self.proxy_cmd, stdout=log, stderr=subprocess.STDOUT,
                                          preexec_fn=_die_with_us, process_group=0)

    def proxy_said(self) -> str:
        """HAProxy's last words (e.g. why it could not bind its port), and where its log is."""
        try:
            said = self.proxy_log.read_text(errors="replace").strip().splitlines()[-2:]
        except OSError:
            said = []
        return (": " + " ".join(said) if said else "") + f" (see {self.proxy_log})"

    def supervise(self) -> int:
        """Until stopped: restart a replica that dies; end if the proxy does."""
        while not self.stopping:
            if self.proxy.poll() is not None:
                print(f"HAProxy ended (code {self.proxy.returncode}){self.proxy_said()}", file=sys.stderr)
                return 1
            now = time.time()
            for r in self.replicas:
                if r.proc.poll() is None or self.stopping:
                    continue
                if r.retry_at == 0.0:  # just found ended: restart at once the first time, then back off
                    r.retry_at = now + min(30.0, 2.0 ** r.restarts - 1)
                    print(f"replica {r.name} ended (code {r.proc.returncode}); restarting it"
                          + (f" in {r.retry_at - now:.0f} s" if r.retry_at > now else "")
                          + f" (see {r.log})", file=sys.stderr, flush=True)
                if now >= r.retry_at:
                    r.restarts, r.retry_at = r.restarts + 1, 0.0
                    r.start()
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        self.stopping = True
        procs = [p for p in [self.proxy, *(r.proc for r in self.replicas)] if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.time() + 10
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


FOLDER_PREFIX = "lenet-serve-"  # this command's folder in the temp dir: HAProxy's config and socket, the logs


def clean_stale_folders(tmp: str | None = None) -> list[str]:
    """Remove the folders of earlier runs of this command that were killed (their pid file names a process that
    is gone); folders of live ones, and of other users, stay. Their names."""
    removed = []
    for folder in Path(tmp or tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / "pid").read_text())
            os.kill(pid, 0)  # alive (ProcessLookupError if not)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
        except (OSError, ValueError):
            continue  # no pid file (not ours, or being made), or not readable: left alone
    return removed


def _settle_training() -> None:
    from lenet.slot import Slot
    from lenet.user_models import models_dir

    try:
        if Slot(models_dir()).settle():
            print("A training run's server was stopped mid-run: its record now says so.", flush=True)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    use(from_environment())  # (--help in the terminal's language)
    p = argparse.ArgumentParser(description=_("Serve a whole class from one machine: several dashboard processes "
                                              "behind HAProxy, on one port."))
    p.add_argument("--port", type=int, default=8501, help=_("the one port browsers use (default 8501)"))
    p.add_argument("--host", default="0.0.0.0", help=_("address to listen on (default: every interface)"))
    p.add_argument("--replicas", type=int, default=len(os.sched_getaffinity(0)) + 1,
                   help=_("dashboard processes (default: one per core, plus one)"))
    p.add_argument("--models", help=_("the user models folder all replicas share (default: $LENET_MODELS_DIR or "
                                      "./models)"))
    args = p.parse_args(argv)
    haproxy = find_haproxy()
    if haproxy is None:
        print("HAProxy is not installed. On Debian or Ubuntu: sudo apt-get install haproxy", file=sys.stderr)
        return 2
    if args.replicas < 1:
        p.error("--replicas must be at least 1")
    taken = _taken(args.host, args.port)
    if taken:
        print(f"Port {args.port} cannot be used ({taken}): choose another with --port", file=sys.stderr)
        return 2
    from lenet.user_models import models_dir

    if args.models:
        os.environ["LENET_MODELS_DIR"] = args.models
    env = {**os.environ, "LENET_MODELS_DIR": str(models_dir()),  # one folder, whatever each one's directory
           # one cookie secret for all (Streamlit signs its XSRF cookie with it); kept out of `ps` output
           "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
           or secrets.token_urlsafe(32)}
    clean_stale_folders()
    _settle_training()  # a run whose server was killed with this command's last time
    logs = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    (logs / "pid").write_text(str(os.getpid()))
    replicas = [Replica(f"r{i + 1}", free_port(), logs / f"r{i + 1}.log", env) for i in range(args.replicas)]
    config = logs / "haproxy.cfg"
    config.write_text(haproxy_config(args.host, args.port, [(r.name, "127.0.0.1", r.port) for r in replicas],
                                     stats=logs / "haproxy.sock"))
    served = Class(replicas, [haproxy, "-db", "-f", str(config)], logs / "haproxy.log")

    def on_signal(signum, _frame) -> None:
        served.stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    front_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    code = 1  # (until it is known: the logs are kept unless the class was served and stopped cleanly)
    try:
        print(f"Starting {args.replicas} dashboard processes and HAProxy (logs in {logs}) ...", flush=True)
        served.start()
        if served.stopping:
            code = 0
            return code
        deadline = time.time() + 15
        while not _listening(front_host, args.port) and not served.stopping:
            if served.proxy.poll() is not None or time.time() > deadline:
                print(f"HAProxy did not start on port {args.port}{served.proxy_said()}", file=sys.stderr)
                return code
            time.sleep(0.1)
        where = " or ".join(f"http://{h}:{args.port}" for h in _addresses()) \
            if args.host in ("0.0.0.0", "::") else f"http://{args.host}:{args.port}"
        print(f"Serving the class at {where} ({args.replicas} processes). "
              f"Ctrl-C stops everything.", flush=True)
        code = served.supervise()
        return code
    finally:
        served.stop()
        _settle_training()
        if code == 0:  # a clean stop: its configuration, socket and logs go
            shutil.rmtree(logs, ignore_errors=True)
            print("Stopped.", flush=True)
        else:
            print(f"Stopped; the logs are kept in {logs}.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
