"""brsgd.aggregate: the same bytes as `brsgd aggregate`, zero copy, errors, diagnostics."""

from __future__ import annotations

import json
import re
import threading

import numpy as np
import pytest

import brsgd

# Every rule, with its defaults and with parameters set, and NNM around two of them.
CASES = [
    ("mean", {}),
    ("median", {}),
    ("trimmed-mean", {"assumed_byzantine": 3}),
    ("krum", {"assumed_byzantine": 3}),
    ("multi-krum", {"assumed_byzantine": 3}),
    ("multi-krum", {"assumed_byzantine": 2, "multi_krum_count": 4}),
    ("brsgd", {}),
    ("brsgd", {"beta": 0.3, "threshold": 150.0}),
    ("brsgd", {"beta": 0.5, "threshold": "auto"}),
    ("geometric-median", {}),
    ("geometric-median", {"smoothing": 1e-4, "iterations": 20}),
    ("bulyan", {"assumed_byzantine": 2}),
    ("centered-clipping", {}),
    ("centered-clipping", {"clipping_radius": 1.0, "iterations": 5}),
    ("median", {"nnm": True, "assumed_byzantine": 2}),
    ("brsgd", {"nnm": True, "assumed_byzantine": 2}),
    ("brsgd-robust", {}),
    ("brsgd-history", {}),
    ("brsgd-robust", {"collapse": True}),
    ("median", {"clipping": 5.0}),
    ("trimmed-mean", {"assumed_byzantine": 2, "arc": True}),
    ("median", {"bucketing": 2}),
]


def case_id(case):
    rule, parameters = case
    return rule + "".join(f"-{k}={v}" for k, v in parameters.items())


def matrix(m=13, d=20_000, seed=0, dtype=np.float32):
    """Honest rows around 1, two attackers (a large row, a row with NaN): enough columns
    that the library splits the work over threads."""
    rng = np.random.default_rng(seed)
    G = (1.0 + rng.standard_normal((m, d))).astype(dtype)
    G[0] = 50.0
    G[1, 17] = np.nan
    return G


def cli_arguments(cli, rule, parameters):
    arguments = ["aggregate", "--rule", rule]
    for key, value in parameters.items():
        option = cli.byzantine_option if key == "assumed_byzantine" else "--" + key.replace("_", "-")
        if value is True:
            arguments.append(option)
        else:
            arguments += [option, str(value)]
    return arguments


def snake_case(value):
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): snake_case(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_bit_identical_to_the_command_line(cli, tmp_path, case):
    rule, parameters = case
    G = matrix()
    np.save(tmp_path / "G.npy", G)
    done = cli.run(*cli_arguments(cli, rule, parameters), "--input", str(tmp_path / "G.npy"),
                   "--output", str(tmp_path / "g.npy"), "--diagnostics", str(tmp_path / "d.json"))
    assert done.returncode == 0, done.stderr
    expected = np.load(tmp_path / "g.npy")
    got, diagnostics = brsgd.aggregate(G, rule, diagnostics=True, **parameters)
    assert got.dtype == np.float32 and got.shape == (G.shape[1],)
    assert got.tobytes() == expected.tobytes()
    assert diagnostics == snake_case(json.loads((tmp_path / "d.json").read_text()))
    assert diagnostics["rejected_rows"] == [1]


def test_float64_input_is_converted_like_the_command_line(cli, tmp_path):
    G = matrix(dtype=np.float64)
    np.save(tmp_path / "G.npy", G)
    done = cli.run("aggregate", "--rule", "brsgd", "--input", str(tmp_path / "G.npy"),
                   "--output", str(tmp_path / "g.npy"))
    assert done.returncode == 0, done.stderr
    assert brsgd.aggregate(G, "brsgd").tobytes() == np.load(tmp_path / "g.npy").tobytes()


@pytest.mark.parametrize("rule, parameters, m", [
    ("krum", {}, 13),                                   # f missing
    ("krum", {"assumed_byzantine": 11}, 13),            # m' − f' − 2 < 1 (f' = f − 1 rejected)
    ("brsgd", {"beta": 1.5}, 13),                       # out of range
    ("bulyan", {"assumed_byzantine": 4}, 13),           # m' = 12 < 4f' + 3 = 15
])
def test_errors_carry_the_command_lines_message(cli, tmp_path, rule, parameters, m):
    G = matrix(m=m, d=50)
    np.save(tmp_path / "G.npy", G)
    done = cli.run(*cli_arguments(cli, rule, parameters), "--input", str(tmp_path / "G.npy"),
                   "--output", str(tmp_path / "g.npy"))
    assert done.returncode != 0
    with pytest.raises(brsgd.AggregationError) as raised:
        brsgd.aggregate(G, rule, **parameters)
    assert raised.value.message in done.stderr


def test_zero_copy_for_c_contiguous_float32(c_pointers):
    received = c_pointers
    G = matrix(d=1000)
    expected = brsgd.aggregate(G, "median")
    assert received[-1] == G.ctypes.data
    # Any other layout is converted once, and gives the same result.
    for other in (np.asfortranarray(G), G.astype(np.float64), G.astype(">f4")):
        got = brsgd.aggregate(other, "median")
        assert received[-1] != other.ctypes.data
        assert got.tobytes() == expected.tobytes()
    strided = np.repeat(G, 2, axis=1)[:, ::2]
    assert brsgd.aggregate(strided, "median").tobytes() == expected.tobytes()
    assert received[-1] != strided.ctypes.data
    # A read-only array is passed as it is too.
    G.setflags(write=False)
    brsgd.aggregate(G, "median")
    assert received[-1] == G.ctypes.data


def test_result_agrees_with_numpy_references():
    G = matrix(m=11, d=500)
    finite = np.delete(G, 1, axis=0)   # row 1 holds a NaN and is rejected
    np.testing.assert_array_equal(brsgd.aggregate(G, "median"), np.median(finite, axis=0).astype(np.float32))
    np.testing.assert_allclose(brsgd.aggregate(G, "mean"), finite.mean(axis=0), rtol=1e-6)
    g, info = brsgd.aggregate(G, "krum", assumed_byzantine=2, diagnostics=True)
    [winner] = info["selected_rows"]
    np.testing.assert_array_equal(g, G[winner])
    assert winner != 0


def test_diagnostics():
    G = matrix(m=13, d=300)
    g, info = brsgd.aggregate(G, "brsgd", diagnostics=True)
    assert info["rule"] == "brsgd(beta=0.5,threshold=auto)"
    assert info["rejected_rows"] == [1]
    assert info["accepted_rows"] == [0] + list(range(2, 13))
    assert 0 not in info["selected_rows"]
    details = info["brsgd"]
    assert set(details) == {"scores", "distances", "threshold", "constraint1", "constraint2", "returned_median"}
    assert len(details["distances"]) == 12
    assert details["threshold"] == pytest.approx(np.median(details["distances"]))
    assert set(info["selected_rows"]) == set(details["constraint1"]) & set(details["constraint2"])
    _, info = brsgd.aggregate(G, "krum", assumed_byzantine=2, diagnostics=True)
    assert len(info["scores"]) == 12
    _, info = brsgd.aggregate(G, "geometric-median", diagnostics=True)
    assert info["iterations"] >= 1
    assert isinstance(brsgd.aggregate(G, "median"), np.ndarray)


@pytest.mark.parametrize("call, code, kind, words", [
    (lambda G: brsgd.aggregate(G, "krum"), "invalid_parameter", brsgd.RuleError, "needs the number of Byzantine workers f"),
    (lambda G: brsgd.aggregate(G, "krum", assumed_byzantine=20), "too_few_rows", brsgd.AggregationError, "m' − f' − 2 ≥ 1"),
    (lambda G: brsgd.aggregate(G, "median", beta=0.5), "inapplicable_parameter", brsgd.RuleError, "median does not take beta"),
    (lambda G: brsgd.aggregate(G, "brsgd", beta=0), "invalid_parameter", brsgd.RuleError, "β must lie in (0, 1]"),
    (lambda G: brsgd.aggregate(G, "brsgd", beta=float("nan")), "invalid_parameter", brsgd.RuleError, "beta must be a finite number"),
    (lambda G: brsgd.aggregate(G, "brsgd", threshold="soon"), "invalid_configuration", brsgd.RuleError, "threshold must be a number or \"auto\""),
    (lambda G: brsgd.aggregate(G, "krum", assumed_byzantine=1.5), "invalid_configuration", brsgd.RuleError, "assumed_byzantine has a value of the wrong type: 1.5"),
    (lambda G: brsgd.aggregate(G, "krum", byzantine=3), "unknown_parameter", brsgd.RuleError, "unknown parameter 'byzantine'"),
    (lambda G: brsgd.aggregate(G, "fedavg"), "unknown_rule", brsgd.RuleError, "unknown rule 'fedavg'"),
    (lambda G: brsgd.aggregate(np.full_like(G, np.inf), "mean"), "no_accepted_rows", brsgd.AggregationError, "hold NaN or ±Inf"),
    (lambda G: brsgd.aggregate(G[:0], "median"), "no_accepted_rows", brsgd.AggregationError, "has no rows"),
    (lambda G: brsgd.aggregate(G, "trimmed-mean", assumed_byzantine=2**62), "invalid_parameter", brsgd.RuleError, "at most 2147483647"),
])
def test_error_mapping(call, code, kind, words):
    with pytest.raises(kind) as raised:
        call(matrix(m=9, d=40))
    assert isinstance(raised.value, ValueError)
    assert raised.value.code == code
    assert words in str(raised.value)


def test_shape_errors_are_plain_value_errors():
    with pytest.raises(ValueError, match="2-D"):
        brsgd.aggregate(np.zeros(5, dtype=np.float32), "mean")


def test_zero_columns():
    assert brsgd.aggregate(np.zeros((4, 0), dtype=np.float32), "median").shape == (0,)


def test_check_rule_and_catalog():
    assert brsgd.check_rule("krum", assumed_byzantine=2) == {"name": "krum", "assumed_byzantine": 2}
    with pytest.raises(brsgd.AggregationError) as raised:
        brsgd.check_rule("krum", workers=4, assumed_byzantine=2)
    assert raised.value.code == "too_few_rows"
    brsgd.check_rule("krum", workers=5, assumed_byzantine=2)
    names = [rule["name"] for rule in brsgd.rules()]
    assert names == ["mean", "median", "trimmed-mean", "krum", "multi-krum", "brsgd", "geometric-median",
                     "bulyan", "centered-clipping", "brsgd-robust", "brsgd-history"]
    assert {rule["name"]: rule["parameters"] for rule in brsgd.rules()}["brsgd"] == ["beta", "threshold"]


def test_a_mapping_rule_and_numpy_scalars():
    G = matrix(m=9, d=40)
    a = brsgd.aggregate(G, {"name": "krum", "assumed_byzantine": 2})
    b = brsgd.aggregate(G, "krum", assumed_byzantine=np.int64(2))
    assert a.tobytes() == b.tobytes()


def test_threads_aggregate_at_once():
    matrices = [matrix(m=15, d=30_000, seed=s) for s in range(6)]
    expected = [brsgd.aggregate(G, "brsgd") for G in matrices]
    got = [None] * len(matrices)

    def body(i):
        got[i] = brsgd.aggregate(matrices[i], "brsgd")

    threads = [threading.Thread(target=body, args=(i,)) for i in range(len(matrices))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a.tobytes() == b.tobytes() for a, b in zip(got, expected))


def test_each_call_reads_the_array_as_it_is_then():
    # The library reads the array in place and keeps nothing between calls: the same array
    # changed in place between two calls gives each call its own values, as a fresh array
    # would; release_memory() (a no-op now) changes nothing.
    a = matrix(m=9, d=5000, seed=1)
    b = matrix(m=9, d=5000, seed=2)
    expected_a, expected_b = brsgd.aggregate(a.copy(), "median"), brsgd.aggregate(b.copy(), "median")
    G = a.copy()
    for _ in range(3):
        G[...] = a
        assert brsgd.aggregate(G, "median").tobytes() == expected_a.tobytes()
        G[...] = b
        assert brsgd.aggregate(G, "median").tobytes() == expected_b.tobytes()
        brsgd.release_memory()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_matrix_is_read_in_place_and_never_written(tmp_path, case):
    # A read-only memory map: its pages are mapped without write permission, so a write by
    # the library would crash the process; every rule reads it there, with the same bytes
    # as on an ordinary array, and the file is unchanged.
    rule, parameters = case
    G = matrix()
    path = tmp_path / "G.f32"
    G.tofile(path)
    mapped = np.memmap(path, dtype=np.float32, mode="r", shape=G.shape)
    assert mapped.flags.c_contiguous and not mapped.flags.writeable
    expected = brsgd.aggregate(G, rule, **parameters)
    assert brsgd.aggregate(mapped, rule, **parameters).tobytes() == expected.tobytes()
    del mapped
    assert np.fromfile(path, dtype=np.float32).tobytes() == G.tobytes()
