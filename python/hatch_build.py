"""Builds the Swift part of the package while a wheel is built.

Runs ``swift build -c release --product BrSGDAggregationC`` at the repository root (the
directory above this one, which holds Package.swift) with the local Swift toolchain, and
puts ``libBrSGDAggregationC.so`` (``.dylib`` on macOS) into the wheel as
``brsgd/_lib/``. The wheel is therefore platform-specific.

The library is loaded with ctypes, not imported as an extension module, so the wheel is
tagged ``py3-none-<platform>``: one wheel serves every Python 3 of that platform.

Environment:
  BRSGD_SWIFT        the swift executable (default: ``swift`` on PATH)
  BRSGD_SWIFT_FLAGS  extra arguments for ``swift build`` (split on spaces), e.g.
                     ``--scratch-path /tmp/brsgd-build`` to keep the build elsewhere
  BRSGD_STATIC_SWIFT_STDLIB=1
                     link the Swift runtime (swiftCore, FoundationEssentials, Dispatch, …)
                     into the library (``-Xswiftc -static-stdlib``) and strip its debug
                     information: the wheel then needs no Swift on the machine it is
                     installed on (``make wheel``, Scripts/build-wheel.sh). Without it the
                     library loads the toolchain's runtime from where it was built (its
                     RUNPATH), as a wheel built for this machine only may.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PRODUCT = "BrSGDAggregationC"


def library_name() -> str:
    if sys.platform == "darwin":
        return f"lib{PRODUCT}.dylib"
    if sys.platform.startswith("win"):
        return f"{PRODUCT}.dll"
    return f"lib{PRODUCT}.so"


class SwiftLibraryHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        package_root = Path(self.root).resolve()
        repository = package_root.parent
        if not (repository / "Package.swift").is_file():
            raise RuntimeError(
                f"brsgd: cannot build the Swift library: {repository} holds no Package.swift. "
                "Build the wheel from the python/ directory of a brsgd checkout "
                "(pip install ./python at the repository root)."
            )
        swift = os.environ.get("BRSGD_SWIFT", "swift")
        swift_path = shutil.which(swift)
        if swift_path is None:
            raise RuntimeError(
                f"brsgd: the Swift toolchain was not found ('{swift}' is not on PATH). "
                "Installing this package compiles its aggregation rules with Swift 6.1 or "
                "later: install a toolchain from swift.org (or set BRSGD_SWIFT to the swift "
                "executable) and run pip install again."
            )
        static = os.environ.get("BRSGD_STATIC_SWIFT_STDLIB", "") not in ("", "0")
        if static and sys.platform == "darwin":
            raise RuntimeError("brsgd: BRSGD_STATIC_SWIFT_STDLIB is for Linux; macOS ships the "
                               "Swift runtime with the system, so build without it there.")
        flags = ["-c", "release", "--package-path", str(repository),
                 *shlex.split(os.environ.get("BRSGD_SWIFT_FLAGS", ""))]
        if static:
            # SwiftPM's --static-swift-stdlib applies to executables only; a dynamic library
            # takes the compiler's own flag (swiftc then links the runtime's .a archives and
            # hides their symbols with --exclude-libs ALL).
            flags += ["-Xswiftc", "-static-stdlib"]
        command = [swift_path, "build", "--product", PRODUCT, *flags]
        self.app.display_info("brsgd: " + " ".join(command))
        try:
            subprocess.run(command, check=True, stdout=sys.stderr)
        except subprocess.CalledProcessError as error:
            raise RuntimeError(
                f"brsgd: 'swift build' failed with exit status {error.returncode}; "
                "its output is above."
            ) from error
        binary_path = subprocess.run(
            [swift_path, "build", *flags, "--show-bin-path"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        built = Path(binary_path) / library_name()
        if not built.is_file():
            raise RuntimeError(f"brsgd: swift build succeeded but {built} is missing")
        if static:
            built = self._stripped(built)
        build_data["force_include"][str(built)] = f"brsgd/_lib/{library_name()}"
        build_data["pure_python"] = False
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"

    def _stripped(self, built: Path) -> Path:
        """A copy of the library without its debug information (a release build carries
        -g: 25 MB with the runtime linked in, 14 MB stripped), when `strip` is found."""
        strip = shutil.which("strip")
        if strip is None:
            self.app.display_warning("brsgd: no strip on PATH; the library keeps its debug information")
            return built
        directory = Path(tempfile.mkdtemp(prefix="brsgd-wheel-"))
        self._temporary = directory
        copy = directory / built.name
        shutil.copy2(built, copy)
        subprocess.run([strip, "--strip-unneeded", str(copy)], check=True)
        return copy

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        temporary = getattr(self, "_temporary", None)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
