"""Runs a snippet of Python in a fresh interpreter (for what one process
can set only once: a backend, an allocator setting, a compilation cache)."""

import subprocess
import sys


def run_python(code: str, env: dict, *args: str, timeout: int = 300) -> str:
    """Runs `code` with `args` under `env` and returns its stdout; fails
    the test on a non-zero exit, with the backend and its stderr's end."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    backend = env.get("KERAS_BACKEND")
    assert out.returncode == 0, f"{backend}: {out.stderr[-3000:]}"
    return out.stdout


def run_child(code: str, env: dict, *args: str) -> dict[str, str]:
    """`run_python`, its output lines read as `{key: rest of the line}`."""
    lines = run_python(code, env, *args).splitlines()
    return dict(line.split(" ", 1) for line in lines)
