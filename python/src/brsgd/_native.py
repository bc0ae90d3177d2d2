"""Loads the Swift library (``libBrSGDAggregationC``) and declares its C functions.

The functions and their contract are those of ``brsgd_aggregation.h`` (in the repository
at ``Sources/BrSGDAggregationC/include/``). ctypes releases the GIL for the duration of
each call, so Python threads aggregate in parallel.

The library is looked for, in order, at ``$BRSGD_LIBRARY``, in the installed package
(``brsgd/_lib/``), and — for a source checkout used without installing — in the
repository's ``.build/release/``.

It is loaded on first use — the first ``library`` attribute read, which the first call of
a rule makes — not at ``import brsgd``: ``brsgd.Worker`` (plain gRPC) and the package's
other pure-Python parts work on a machine where the library is missing or cannot load.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path

_PRODUCT = "BrSGDAggregationC"
ABI_VERSION = 1


def _library_file_name() -> str:
    if sys.platform == "darwin":
        return f"lib{_PRODUCT}.dylib"
    if sys.platform.startswith("win"):
        return f"{_PRODUCT}.dll"
    return f"lib{_PRODUCT}.so"


def _candidates() -> list[Path]:
    name = _library_file_name()
    here = Path(__file__).resolve().parent
    found = []
    if os.environ.get("BRSGD_LIBRARY"):
        found.append(Path(os.environ["BRSGD_LIBRARY"]))
    found.append(here / "_lib" / name)
    # python/src/brsgd/_native.py → the repository root is three levels up.
    repository = here.parent.parent.parent
    if (repository / "Package.swift").is_file():
        found.append(repository / ".build" / "release" / name)
    return found


def _load() -> ctypes.CDLL:
    tried = _candidates()
    for path in tried:
        if path.is_file():
            library = ctypes.CDLL(str(path))
            break
    else:
        raise ImportError(
            "brsgd: the Swift aggregation library was not found (looked at "
            + ", ".join(str(p) for p in tried)
            + "). Install the package with `pip install ./python` from a brsgd checkout "
            "(it runs `swift build -c release --product BrSGDAggregationC`), or set "
            "BRSGD_LIBRARY to the built library."
        )
    _declare(library)
    version = library.brsgd_abi_version()
    if version != ABI_VERSION:
        raise ImportError(
            f"brsgd: {path} speaks C interface version {version}, this package {ABI_VERSION}; "
            "rebuild the library from the same checkout"
        )
    library.path = str(path)
    return library


_char_p_p = ctypes.POINTER(ctypes.c_void_p)


def _declare(library: ctypes.CDLL) -> None:
    library.brsgd_abi_version.argtypes = []
    library.brsgd_abi_version.restype = ctypes.c_int32
    # Pointers travel as c_void_p (plain integers): no ctypes object per call, and the
    # data pointer passed is exactly the array's own (numpy's ndarray.ctypes.data).
    library.brsgd_aggregate.argtypes = [
        ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,  # gradients, m, d
        ctypes.c_char_p,                                  # rule_json
        ctypes.c_void_p,                                  # output
        _char_p_p, _char_p_p, _char_p_p,                  # diagnostics, error code, message
    ]
    library.brsgd_aggregate.restype = ctypes.c_int32
    library.brsgd_check_rule.argtypes = [ctypes.c_char_p, ctypes.c_int64, _char_p_p, _char_p_p]
    library.brsgd_check_rule.restype = ctypes.c_int32
    library.brsgd_rules_json.argtypes = []
    library.brsgd_rules_json.restype = ctypes.c_void_p
    library.brsgd_release_memory.argtypes = []
    library.brsgd_release_memory.restype = None
    library.brsgd_free.argtypes = [ctypes.c_void_p]
    library.brsgd_free.restype = None


def take_string(library: ctypes.CDLL, pointer: int | None) -> str | None:
    """Copies a string the library returned into Python and frees it."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        library.brsgd_free(pointer)


_lock = threading.Lock()


def __getattr__(name: str):
    # Module-level __getattr__ runs only while `library` is not yet a module attribute: the
    # first read loads it and stores it, later reads are ordinary attribute reads. A failed
    # load stores nothing, so the next use tries again (and raises the same ImportError).
    if name != "library":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        loaded = globals().get("library")
        if loaded is None:
            loaded = _load()
            globals()["library"] = loaded
    return loaded
