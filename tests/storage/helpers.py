"""Helpers of the storage tests: fixed instants, threads that report their failures, worker processes."""

import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
REPOSITORY = Path(__file__).resolve().parents[2]


def run_in_threads(targets: Sequence[Callable[[], Any]], *, start_together: bool = True) -> list[Any]:
    """Runs each target in its own thread (all released at once) and returns their results in order;
    the first exception raised in a thread is raised again here."""
    barrier = threading.Barrier(len(targets))
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(index: int, target: Callable[[], Any]) -> None:
        try:
            if start_together:
                barrier.wait()
            results[index] = target()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index, target)) for index, target in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def start_worker(*arguments: str) -> subprocess.Popen[str]:
    """Starts `python -m tests.storage.workers ARGUMENTS` from the repository, reading its output as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.workers", *arguments],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_worker(process: subprocess.Popen[str], timeout: float = 120) -> list[str]:
    """Waits for a worker and returns its output lines; fails with its stderr when it did not succeed."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return stdout.splitlines()
