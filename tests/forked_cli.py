"""Run ``wargame`` commands in child processes forked from one interpreter that has imported wargame once.

A fresh ``python -m wargame.cli`` spends about two seconds of CPU importing numpy, SciPy, pandas, pyarrow and
Mesa before it reads its arguments; tests that run a hundred commands in child processes would pay that a
hundred times. A :class:`Launcher` starts one server interpreter that imports every module of wargame (or
runs other ``preload`` code), then forks it once per command. Each child is a process of its own: its own
pid, standard streams (pipes, as ``subprocess`` gives), working directory, environment (the caller's at the
time of the call) and resource limits; it runs ``wargame.cli``'s ``__main__`` as ``python -m wargame.cli
ARGS`` does (``sys.argv``, ``sys.path[0]``, exit code from ``SystemExit``, a traceback and exit code 1 for
an uncaught exception, the interpreter's shutdown: non-daemon threads joined, ``atexit`` handlers run,
streams flushed) and exits. What a child does not repeat is the import of wargame and its libraries, which
``test_fresh_imports.py`` (from a server that imported no wargame) and ``test_wheel.py`` check.

The server reports each child's exit status, its own CPU time and peak resident memory (``wait4``), its
peak virtual memory (``VmPeak``, read by the child as it exits) and whether it was killed at the wall-clock
limit (the server kills it through a pidfd, so no other process can be hit by a reused pid).
"""

from __future__ import annotations

import json
import locale
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["Finished", "Launcher", "WargameProcess"]

IMPORT_WARGAME = r"""
import importlib, pkgutil

import wargame
import wargame.cli

wargame.cli.build_parser()
for found in pkgutil.walk_packages(wargame.__path__, "wargame."):
    if not found.name.endswith(".__main__"):
        importlib.import_module(found.name)
"""
"""What a :class:`Launcher`'s server imports by default: every module of wargame."""

_SERVER_START = r"""
import atexit, json, os, resource, runpy, select, signal, socket, sys, threading, traceback, warnings
"""

_SERVER = r"""
assert threading.active_count() == 1, threading.enumerate()
control = socket.socket(fileno=int(sys.argv[1]))
control.sendall(b"ready")


def receive():
    header, fds, _, _ = socket.recv_fds(control, 8, 3)
    if not header:
        return None, []
    size, body = int.from_bytes(header, "big"), b""
    while len(body) < size:
        chunk = control.recv(size - len(body))
        if not chunk:
            return None, []
        body += chunk
    return json.loads(body), fds


def exit_status(exit_):
    # What the interpreter makes of an uncaught SystemExit.
    if exit_.code is None:
        return 0
    if isinstance(exit_.code, int):
        return exit_.code
    print(exit_.code, file=sys.stderr)
    return 1


def child(request, fds, report):
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        control.close()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for name, (soft, hard) in request["limits"].items():
            resource.setrlimit(getattr(resource, name), (soft, hard))
    except BaseException:
        traceback.print_exc()
        os._exit(127)
    code = 0
    try:
        if "module" in request:
            sys.argv = [request["module"], *request["args"]]
            sys.path[0] = os.getcwd()
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *request["args"]]
            sys.path[0] = ""
            exec(compile(request["code"], "<string>", "exec"), {"__name__": "__main__"})
    except SystemExit as exit_:
        code = exit_status(exit_)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        code = code or 120
    fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    os.write(report, fields["VmPeak"].split()[0].encode())
    os._exit(code)


def serve():
    while True:
        request, fds = receive()
        if request is None:
            return
        report_read, report_write = os.pipe()
        with warnings.catch_warnings():
            # numpy's BLAS keeps native threads; its fork handlers make forking safe, as multiprocessing's
            # fork start method relies on.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(report_read)
            child(request, fds, report_write)
        for fd in fds:
            os.close(fd)
        os.close(report_write)
        pidfd = os.pidfd_open(pid)
        killed = None
        ready, _, _ = select.select([pidfd], [], [], request["wall_seconds"])
        if not ready:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            killed = "wall time"
        _, status, usage = os.wait4(pid, 0)
        os.close(pidfd)
        # Read without waiting: a process the child left behind may still hold the pipe open.
        os.set_blocking(report_read, False)
        try:
            peak = os.read(report_read, 64)
        except BlockingIOError:
            peak = b""
        os.close(report_read)
        reply = {
            "status": status,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_kb": usage.ru_maxrss,
            "peak_vm_kb": int(peak) if peak else None,
            "killed_by": killed,
        }
        body = json.dumps(reply).encode()
        control.sendall(len(body).to_bytes(8, "big") + body)


serve()
"""


WargameProcess = Callable[..., subprocess.CompletedProcess[str]]
"""The signature of :meth:`Launcher.wargame`."""


@dataclass(frozen=True)
class Finished:
    """What a forked command did."""

    code: int  # the exit code, or -N when a signal N ended it
    stdout: bytes
    stderr: bytes
    wall_seconds: float
    cpu_seconds: float  # the child's own user + system time
    peak_rss_kb: int
    peak_vm_kb: int | None  # None when the child did not reach its exit (killed by a signal)
    killed_by: str | None  # "wall time" when the launcher killed it at the wall-clock limit


class Launcher:
    """Forks ``wargame`` commands from one interpreter that imported wargame once (one command at a time).

    Args:
        start_seconds: How long the server may take to import wargame before :meth:`start` gives up, and
            how long past a command's wall-clock limit to wait for the server's report on it.
        preload: The code the server runs before it forks any child: by default :data:`IMPORT_WARGAME`.
    """

    def __init__(self, start_seconds: float = 600.0, preload: str = IMPORT_WARGAME) -> None:
        self.start_seconds = start_seconds
        self.preload = preload
        self._server: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._lock = threading.Lock()

    def start(self) -> Launcher:
        """Start the server and wait until it has imported wargame."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server = subprocess.Popen(
            [sys.executable, "-c", _SERVER_START + self.preload + _SERVER, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        ours.settimeout(self.start_seconds)
        try:
            ready = ours.recv(5)
        except TimeoutError:
            ready = b""
        if ready != b"ready":
            ours.close()
            self._server.kill()
            raise RuntimeError(f"the launcher's server did not start (exit code {self._server.wait()})")
        self._control = ours
        return self

    def close(self) -> None:
        """Stop the server (it exits when its control socket closes)."""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._server is not None:
            try:
                self._server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            self._server = None

    def wargame(
        self,
        *args: str | Path,
        cwd: Path | None = None,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        limits: Mapping[str, tuple[int, int]] | None = None,
        timeout: float = 300.0,
    ) -> subprocess.CompletedProcess[str]:
        """``wargame ARGS...`` as ``subprocess.run(..., capture_output=True, text=True)`` would report it
        (standard input empty unless ``input`` is given; killed after ``timeout`` seconds)."""
        finished = self.run(
            "-m",
            "wargame.cli",
            args,
            cwd=Path.cwd() if cwd is None else cwd,
            stdin=None if input is None else input.encode(),
            env=env,
            limits=limits,
            wall_seconds=timeout,
        )
        if finished.killed_by is not None:
            raise subprocess.TimeoutExpired(
                ["wargame", *map(str, args)], timeout, finished.stdout, finished.stderr
            )
        return subprocess.CompletedProcess(
            ["wargame", *map(str, args)],
            finished.code,
            _text(finished.stdout),
            _text(finished.stderr),
        )

    def run(
        self,
        flag: Literal["-m", "-c"],
        target: str,
        args: Sequence[str | Path],
        *,
        cwd: Path,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        limits: Mapping[str, tuple[int, int]] | None = None,
        wall_seconds: float = 600.0,
    ) -> Finished:
        """``python -m MODULE ARGS...`` (``flag`` ``-m``) or ``python -c CODE ARGS...`` (``-c``) in a forked
        child (``limits``: ``RLIMIT_*`` name -> soft, hard)."""
        if self._control is None:
            raise RuntimeError("the launcher is not started")
        request = {
            {"-m": "module", "-c": "code"}[flag]: target,
            "args": [str(arg) for arg in args],
            "cwd": str(cwd),
            "env": dict(os.environ if env is None else env),
            "limits": dict(limits or {}),
            "wall_seconds": wall_seconds,
        }
        body = json.dumps(request).encode()
        with self._lock:
            started = time.monotonic()
            if stdin is None:
                stdin_read, stdin_write = os.open(os.devnull, os.O_RDONLY), -1
            else:
                stdin_read, stdin_write = os.pipe()
            stdout_read, stdout_write = os.pipe()
            stderr_read, stderr_write = os.pipe()
            try:
                socket.send_fds(
                    self._control, [len(body).to_bytes(8, "big")], [stdin_read, stdout_write, stderr_write]
                )
                self._control.sendall(body)
            finally:
                for fd in (stdin_read, stdout_write, stderr_write):
                    os.close(fd)
            streams: dict[int, bytes] = {}

            def drain(fd: int) -> None:
                with os.fdopen(fd, "rb") as stream:
                    streams[fd] = stream.read()

            readers = [threading.Thread(target=drain, args=(fd,)) for fd in (stdout_read, stderr_read)]
            for reader in readers:
                reader.start()
            if stdin is not None:
                _feed(stdin_write, stdin)
            reply = self._reply(wall_seconds + self.start_seconds)
            for reader in readers:
                reader.join()
        status = reply["status"]
        return Finished(
            code=os.waitstatus_to_exitcode(status),
            stdout=streams.get(stdout_read, b""),
            stderr=streams.get(stderr_read, b""),
            wall_seconds=time.monotonic() - started,
            cpu_seconds=reply["cpu_seconds"],
            peak_rss_kb=reply["peak_rss_kb"],
            peak_vm_kb=reply["peak_vm_kb"],
            killed_by=reply["killed_by"],
        )

    def _reply(self, timeout: float) -> dict:
        assert self._control is not None
        self._control.settimeout(timeout)
        data = b""
        while len(data) < 8 or len(data) < 8 + int.from_bytes(data[:8], "big"):
            chunk = self._control.recv(65536)
            if not chunk:
                raise RuntimeError(f"the launcher's server stopped (exit code {self._server_code()})")
            data += chunk
        return json.loads(data[8:])

    def _server_code(self) -> int | None:
        return None if self._server is None else self._server.poll()


def _text(data: bytes) -> str:
    """Output decoded as ``subprocess.run(..., text=True)`` does (locale encoding, universal newlines)."""
    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


def _feed(fd: int, data: bytes) -> None:
    """Write ``data`` to a child's standard input and close it (a child that stops reading ends it)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass
    finally:
        os.close(fd)
