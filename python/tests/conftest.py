"""Shared test helpers: where the built ``brsgd`` command line is."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


# The builds a checkout may hold, fastest first: `make network`'s release build (every
# command), `make demo`'s release build (no master, worker or cluster), `make test`'s debug
# build (every command, as `make test` turns the Networking trait on).
BUILDS = (
    REPOSITORY / ".build-network" / "release" / "brsgd",
    REPOSITORY / ".build" / "release" / "brsgd",
    REPOSITORY / ".build" / "debug" / "brsgd",
)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def has_networked_commands(path: Path) -> bool:
    """True when this brsgd was built with its networked commands: its `master --help`
    lists the master's options (a build without them has a hidden placeholder instead)."""
    done = subprocess.run([str(path), "master", "--help"], capture_output=True, text=True, timeout=60)
    return done.returncode == 0 and "--workers" in done.stdout


def find_cli() -> Path | None:
    """The built ``brsgd`` executable the tests run.

    $BRSGD_CLI when it is set (and then only it). Else, among the repository's builds
    (``BUILDS``, in that order: .build-network/release, .build/release, .build/debug), the
    first that has the networked commands, which the tests of a Swift master need; else the
    first that exists (the aggregate tests run, the master's skip); else None.
    """
    if os.environ.get("BRSGD_CLI"):
        path = Path(os.environ["BRSGD_CLI"])
        return path if _is_executable(path) else None
    built = [path for path in BUILDS if _is_executable(path)]
    return next((path for path in built if has_networked_commands(path)), built[0] if built else None)


class CLI:
    def __init__(self, path: Path):
        self.path = path
        self._help: dict[str, str] = {}

    def help(self, command: str) -> str:
        if command not in self._help:
            self._help[command] = subprocess.run(
                [str(self.path), command, "--help"], capture_output=True, text=True, check=True).stdout
        return self._help[command]

    @property
    def byzantine_option(self) -> str:
        """f's option: --assumed-byzantine (its new name) or --byzantine (before the rename)."""
        return "--assumed-byzantine" if "--assumed-byzantine" in self.help("aggregate") else "--byzantine"

    def run(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.path), *arguments], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def cli() -> CLI:
    path = find_cli()
    if path is None and os.environ.get("BRSGD_CLI"):
        pytest.skip(f"BRSGD_CLI={os.environ['BRSGD_CLI']} is not an executable file")
    if path is None:
        pytest.skip("no built brsgd executable ($BRSGD_CLI, or " + ", ".join(str(p.relative_to(REPOSITORY)) for p in BUILDS)
                    + "; build it with `make network` or `swift build --product brsgd`, or set BRSGD_CLI)")
    return CLI(path)


@pytest.fixture
def c_pointers(monkeypatch):
    """The data pointer of every matrix handed to the C library, in call order: the call is
    spied on (and still made), so a test can tell a zero-copy call from a converted one."""
    import brsgd.aggregation as aggregation

    received = []
    real = aggregation._c_aggregate

    def spy(pointer, *rest):
        received.append(pointer)
        return real(pointer, *rest)

    monkeypatch.setattr(aggregation, "_c_aggregate", spy)
    return received
