#!/usr/bin/env python3
"""Writes the NumPy-made fixtures that Tests/TensorIOTests compare TensorIO against.

Run from the package root:  python3 Scripts/make_npy_fixtures.py
Made with numpy 2.4.6. The tests rebuild the expected values from the same formulas:
  base[i][j]  = (3*i + j - 2.5) * 1.5            for the 2 x 3 matrices
  vector[k]   = (k - 2) * 0.75                    for the length-5 vectors
"""
import io
import json
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TensorIOTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)

base = np.array([[(3 * i + j - 2.5) * 1.5 for j in range(3)] for i in range(2)])
vector = np.array([(k - 2) * 0.75 for k in range(5)])


def save(name, array, version=None):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        npformat.write_array(f, array, version=version, allow_pickle=False)


# Matrices NumPy reads as base, in every layout TensorIO accepts.
save("matrix_f4_v1.npy", base.astype("<f4"))            # what np.save writes
save("matrix_f8_v1.npy", base.astype("<f8"))
save("matrix_f4_v2.npy", base.astype("<f4"), (2, 0))
save("matrix_f8_v3.npy", base.astype("<f8"), (3, 0))
save("matrix_f4_big_endian.npy", base.astype(">f4"))
save("matrix_f8_big_endian.npy", base.astype(">f8"))
save("matrix_f4_fortran.npy", np.asfortranarray(base.astype("<f4")))
save("vector_f4.npy", vector.astype("<f4"))
save("vector_f8_big_endian.npy", vector.astype(">f8"))

# Float64 values at and beyond the edges of Float32.
save("edges_f8.npy", np.array([[0.1, 1e39, -1e39], [1e-50, np.nan, 3e38]], dtype="<f8"))

# Arrays TensorIO must refuse, each with a named reason.
save("int64.npy", np.arange(6, dtype="<i8").reshape(2, 3))
save("float16.npy", base.astype("<f2"))
save("complex64.npy", base.astype("<c8"))
save("rank3.npy", np.zeros((2, 3, 4), dtype="<f4"))
save("scalar.npy", np.array(1.5, dtype="<f4"))
save("empty_rows.npy", np.zeros((0, 3), dtype="<f4"))
save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<f4")]))

# The version 1.0 headers np.save writes for float32 arrays of various shapes (no data),
# to compare TensorIO's writer with, digit count by digit count.
headers = {}
for shape in [(0,), (1,), (5,), (7,), (99,), (1000,), (123456789,), (10**18,), (9223372036854775807,),
              (2, 3), (0, 3), (20, 1000000), (1, 1), (123, 4567)]:
    buffer = io.BytesIO()
    npformat.write_array_header_1_0(
        buffer, {"descr": "<f4", "fortran_order": False, "shape": shape})
    headers[repr(shape)] = buffer.getvalue().hex()
with open(os.path.join(OUT, "npy_headers_v1_f4.json"), "w") as f:
    json.dump([{"shape": list(k for k in eval(s)), "hex": h} for s, h in headers.items()], f, indent=1)

# What Python's json module writes for non-finite floats: bare NaN, Infinity, -Infinity.
with open(os.path.join(OUT, "python_nonfinite.json"), "w") as f:
    json.dump([[1.0, float("nan"), float("inf")], [-float("inf"), 1e10, 3e38]], f)
