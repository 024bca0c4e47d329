"""`meetings-hub` as a real subprocess: serve, stop with a signal, run CLI commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from tests.support import REPO, free_port

CLI = [sys.executable, "-m", "meetings_hub.cli"]


def env_for(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETINGS_HUB_")}
    env.update(
        {
            "MEETINGS_HUB_DATA_DIR": str(data_dir),
            "MEETINGS_HUB_SECRET_KEY": "test-secret-key-0123456789",
            "MEETINGS_HUB_DEMO_MODE": "true",
            "MEETINGS_HUB_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        }
    )
    env.update(extra or {})
    return env


def run_cli(
    args: list[str], env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=dict(env), cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


class ServeProcess:
    """`meetings-hub serve` on a free port, waited for until /healthz answers."""

    def __init__(self, env: Mapping[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "MEETINGS_HUB_PORT": str(self.port), "MEETINGS_HUB_HOST": "127.0.0.1"}
        self.env["MEETINGS_HUB_SITE_URL"] = self.url
        self.proc = subprocess.Popen(
            [*CLI, "serve"],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                _, err = self.proc.communicate()
                raise AssertionError(f"serve exited early ({self.proc.returncode}): {err[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("serve did not become ready")

    def stop(
        self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20
    ) -> tuple[int, float, str]:
        """Sends ``sig``; returns (exit code, seconds it took, stderr)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError(f"serve did not exit within {timeout}s of {sig.name}") from None
        return self.proc.returncode, time.monotonic() - started, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
