"""Does the wire format carry plain data both ways and refuse everything else?"""

import json

import numpy as np
import pytest

from autograder.sandbox.wire import WireError, decode, encode, fingerprint, tree_fingerprint


def _round_trip(value):
    return decode(json.loads(json.dumps(encode(value))))


def test_arrays_scalars_tuples_and_dicts_come_back_equal_and_of_plain_types():
    value = {"W": np.arange(6.0).reshape(2, 3), "mask": np.array([[True, False]]),
             "pair": (np.float64(2.5), 3), "nan": float("nan"), "inf": -np.inf}
    back = _round_trip(value)
    assert type(back["W"]) is np.ndarray and back["W"].dtype == np.float64
    np.testing.assert_array_equal(back["W"], value["W"])
    assert back["mask"].dtype == np.bool_
    assert back["pair"] == (2.5, 3) and type(back["pair"][0]) is float
    assert np.isnan(back["nan"]) and back["inf"] == -np.inf


def test_an_ndarray_subclass_arrives_as_a_plain_ndarray():
    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return True

    back = _round_trip(np.zeros(3).view(Sneaky))
    assert type(back) is np.ndarray


@pytest.mark.parametrize("value", [object(), {1: 2}, np.array(["a"]), np.array([object()]), lambda: 1])
def test_values_that_are_not_plain_data_are_refused(value):
    with pytest.raises(WireError):
        encode(value)


@pytest.mark.parametrize("tree", [
    {"__pickle__": "gASV"},
    {"__ndarray__": ["object", [1], "AA=="]},
    {"__ndarray__": ["float64", [2], "AAAAAAAAAAA="]},
    {"__ndarray__": ["float64", [10**9], ""]},
    {"a": 1, "b": 2},
    {"__float__": "1e5"},
])
def test_malformed_or_dangerous_trees_from_a_worker_are_refused(tree):
    with pytest.raises(WireError):
        decode(tree)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int16", "uint32", "float16"])
def test_does_an_array_of_either_byte_order_arrive_with_the_same_values(dtype):
    values = (np.arange(12).reshape(3, 4) - 5).astype(dtype) if "u" not in dtype else \
        np.arange(12, dtype=dtype).reshape(3, 4)
    for order in ("<", ">", "="):
        sent = values.astype(np.dtype(dtype).newbyteorder(order))
        back = _round_trip(sent)
        assert back.dtype == np.dtype(dtype) and back.dtype.isnative
        np.testing.assert_array_equal(back, values)


@pytest.mark.parametrize("value", [
    {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1)), "n": 3, "none": None},
    (np.float64(0.5), np.int64(3), True, "text", float("nan"), -np.inf, 2.5),
    [np.ones((0, 4), dtype=np.float32), np.array(7, dtype=np.int8), np.array([[True], [False]])],
    np.arange(12, dtype=np.uint16).reshape(3, 4).T,  # not C-contiguous
    np.arange(4.0).astype(">f8"), {"deep": {"deeper": ({"x": np.eye(2)},)}},
])
def test_is_an_encoded_values_fingerprint_that_of_the_value_it_decodes_to(value):
    """The grader fingerprints its own encoded inputs without decoding them again."""
    tree = json.loads(json.dumps(encode(value)))
    assert tree_fingerprint(tree) == fingerprint(decode(tree))
