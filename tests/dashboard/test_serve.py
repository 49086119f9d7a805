"""The class command's parts without a browser: HAProxy's configuration (checked by HAProxy itself) and a clear
message where HAProxy is missing. tests/e2e/test_serve.py runs the whole command."""
import subprocess

from dashboard import serve
from dashboard.serve.proxy import COOKIE
from tests.testsupport import skip_or_fail


def _config(tmp_path):
    return serve.haproxy_config("127.0.0.1", 8501, [("r1", "127.0.0.1", 9001), ("r2", "10.0.0.12", 9002)],
                                stats=tmp_path / "haproxy.sock")


def test_the_proxy_is_sticky_by_cookie_and_checks_each_replica(tmp_path):
    text = _config(tmp_path)
    assert f"cookie {COOKIE} insert indirect nocache httponly" in text
    assert "balance leastconn" in text and "source" not in text  # a lecture hall shares one address
    assert "option httpchk GET /_stcore/health" in text and "http-check expect string ok" in text
    assert "server r1 127.0.0.1:9001 check cookie r1" in text and "server r2 10.0.0.12:9002 check cookie r2" in text
    assert "compression algo gzip" in text and "text/javascript" in text  # the first load, compressed
    assert "timeout tunnel 4h" in text  # websockets stay open for the lecture
    assert "bind 127.0.0.1:8501" in text and f"stats socket {tmp_path / 'haproxy.sock'}" in text


def test_haproxy_accepts_the_configuration(tmp_path):
    haproxy = serve.find_haproxy()
    if haproxy is None:
        skip_or_fail("HAProxy is not installed (apt-get install haproxy)")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(_config(tmp_path))
    out = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_without_haproxy_the_command_says_how_to_get_it(monkeypatch, capsys):
    monkeypatch.setattr(serve, "find_haproxy", lambda: None)
    assert serve.main(["--replicas", "2"]) == 2
    assert "apt-get install haproxy" in capsys.readouterr().err


def test_a_taken_port_is_refused_before_anything_starts(capsys):
    import socket

    if serve.find_haproxy() is None:
        skip_or_fail("HAProxy is not installed (apt-get install haproxy)")
    with socket.socket() as other:  # another program on the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert serve.main(["--host", "127.0.0.1", "--port", str(port), "--replicas", "1"]) == 2
    assert f"Port {port} cannot be used" in capsys.readouterr().err


def test_the_folders_of_killed_class_commands_are_removed_and_live_ones_kept(tmp_path):
    import os

    dead = subprocess.Popen(["true"])
    dead.wait()
    for name, pid in (("killed", dead.pid), ("live", os.getpid()), ("no-pid", None)):
        folder = tmp_path / f"{serve.FOLDER_PREFIX}{name}"
        folder.mkdir()
        (folder / "haproxy.cfg").write_text("global\n")
        if pid is not None:
            (folder / "pid").write_text(str(pid))
    (tmp_path / "unrelated").mkdir()
    assert serve.clean_stale_folders(str(tmp_path)) == [f"{serve.FOLDER_PREFIX}killed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{serve.FOLDER_PREFIX}live", f"{serve.FOLDER_PREFIX}no-pid", "unrelated"])
