"""The Swift library loads on the first use of a rule, not at ``import brsgd``.

A worker host needs grpcio, not the library: the package is copied without its ``_lib``
into a directory of its own (no checkout around it, ``BRSGD_LIBRARY`` unset), as if
installed without a working library, and a worker trains there against the Python master
of fake_master while the master (this process) aggregates with the library.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

import brsgd
from fake_master import FakeMaster, Serving

WORKER = textwrap.dedent("""
    import json, sys
    import numpy as np
    import brsgd, brsgd._native, brsgd.torch, brsgd.worker
    loaded_at_import = "library" in vars(brsgd._native)
    target = np.arange(4, dtype=np.float32)
    def fn(w):
        return w - target, float(np.dot(w - target, w - target) / 2)
    summary = brsgd.Worker(sys.argv[1], 0, poll_wait=1.0, give_up_after=20).run(fn)
    try:
        brsgd.aggregate(np.ones((3, 4), np.float32), "median")
        error = None
    except ImportError as raised:
        error = str(raised)
    print(json.dumps({"loaded_at_import": loaded_at_import, "accepted": summary.accepted,
                      "package": brsgd.__file__, "error": error}))
""")


def test_a_worker_runs_where_the_library_cannot_be_found(tmp_path):
    package = tmp_path / "site" / "brsgd"
    shutil.copytree(Path(brsgd.__file__).parent, package,
                    ignore=shutil.ignore_patterns("_lib", "__pycache__"))
    environment = {key: value for key, value in os.environ.items() if key != "BRSGD_LIBRARY"}
    environment["PYTHONPATH"] = str(package.parent)
    master = FakeMaster(workers=1, rounds=3, initial=np.zeros(4, dtype=np.float32), lr=0.5, rule="median")
    with Serving(master) as serving:
        done = subprocess.run([sys.executable, "-c", WORKER, serving.address], env=environment,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert Path(report["package"]).parent == package
    assert report["loaded_at_import"] is False
    assert report["accepted"] == 3
    # The first rule call looks for the library and says where it looked.
    assert report["error"] is not None and "library was not found" in report["error"]
    assert str(package / "_lib") in report["error"]
    # The master moved the model by the worker's gradients: w ← w − ½(w − target).
    np.testing.assert_allclose(master.steps[-1].updated, np.arange(4) * (1 - 0.5 ** 3), rtol=1e-6)


def test_the_library_loads_on_first_use_and_once():
    code = textwrap.dedent("""
        import brsgd, brsgd._native as native, numpy as np
        before = "library" in vars(native)
        brsgd.aggregate(np.ones((3, 2), np.float32), "median")
        first = native.library
        brsgd.rules()
        print(before, "library" in vars(native), first is native.library)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]
