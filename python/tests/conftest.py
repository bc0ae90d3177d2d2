"""Shared test helpers: where the built ``brsgd`` command line is."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def find_cli() -> Path | None:
    """The built ``brsgd`` executable: $BRSGD_CLI, else the repository's release build,
    else its debug build."""
    candidates = [os.environ.get("BRSGD_CLI")] if os.environ.get("BRSGD_CLI") else []
    candidates += [REPOSITORY / ".build" / "release" / "brsgd", REPOSITORY / ".build" / "debug" / "brsgd"]
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


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
    if path is None:
        pytest.skip("no built brsgd executable (.build/release/brsgd or .build/debug/brsgd; "
                    "build it with `swift build --product brsgd` or set BRSGD_CLI)")
    return CLI(path)
