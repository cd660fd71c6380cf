"""The only data format that crosses the trust boundary: plain JSON.

Values sent to the worker (inputs) and received from it (outputs) are encoded
as JSON-able trees. An array becomes ``{"__ndarray__": [dtype, shape, base64
bytes]}``; a tuple ``{"__tuple__": [...]}``; dicts must have string keys; other
leaves are ``None``, ``bool``, ``int``, ``float`` (``nan``/``inf`` spelled
``{"__float__": "nan"}``) and ``str``. Nothing is ever pickled.

Inputs only: :func:`share` moves an array's bytes out of the tree into a region of shared
memory (``{"__shared__": [dtype, shape, part, offset]}``); the job child decodes it as a view
on that memory (``decode(tree, regions=...)``), which the worker compares with its own copy of
the bytes after the job (see :mod:`autograder.sandbox`). The grader's :func:`decode` never
accepts that tag.

:func:`decode` is what the grader runs on worker output. It rebuilds values of
exactly these types (``numpy.ndarray`` of a numeric or boolean dtype, Python
scalars, tuples, lists, dicts) and rejects anything else with
:class:`WireError`, so no student-made object reaches the grader's code.
"""

import binascii
import hashlib
import math
import re

import numpy as np

ALLOWED_DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"}
)
MAX_ARRAY_ELEMENTS = 5_000_000
MAX_DEPTH = 16
#: The allowed dtypes in native byte order, by dtype (a dict look-up instead of numpy's
#: ``dtype.name``, which is computed in Python on each use), and their item sizes by name.
_NATIVE_NAMES = {np.dtype(name): name for name in ALLOWED_DTYPES}
_ITEMSIZES = {name: np.dtype(name).itemsize for name in ALLOWED_DTYPES}
_DTYPE_STRS = {name: np.dtype(name).str for name in ALLOWED_DTYPES}


class WireError(ValueError):
    """Data from the worker is not in the expected shape; the message says how."""


def encode(value, _depth=0):
    """Encode ``value`` into a JSON-able tree (inverse of :func:`decode`).

    Numpy scalars become Python scalars; arrays keep their dtype. Raises
    :class:`WireError` for values that cannot be represented.
    """
    if _depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.ndarray):
        name = _NATIVE_NAMES.get(value.dtype)
        if name is None:
            if value.dtype.name not in ALLOWED_DTYPES:
                raise WireError(f"arrays of dtype {value.dtype} cannot be graded")
            name = value.dtype.name  # the wire carries native byte order, named by dtype name
        if value.size > MAX_ARRAY_ELEMENTS:  # refused here, before copying it, as decode would
            raise WireError(f"array of {value.size} elements is too large to grade")
        if not value.dtype.isnative:
            value = value.astype(value.dtype.newbyteorder("="))
        data = binascii.b2a_base64(value.tobytes(), newline=False).decode("ascii")  # C order
        return {"__ndarray__": [name, list(value.shape), data]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("dict keys must be strings")
        return {"__dict__": {k: encode(v, _depth + 1) for k, v in value.items()}}
    raise WireError(f"values of type {type(value).__name__} cannot be graded")


def decode(tree, _depth=0, regions=None):
    """Rebuild a value from :func:`encode`'s output, accepting only plain types.

    Returns ``None``, ``bool``, ``int``, ``float``, ``str``, ``list``,
    ``tuple``, ``dict`` or ``numpy.ndarray`` (exact classes). Raises
    :class:`WireError` on anything malformed. ``regions`` (the job child's only): the
    buffers :func:`share`'s ``__shared__`` arrays are views on, by part; without it that tag
    is refused like any other.
    """
    if _depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree
    if kind is list:
        return [decode(v, _depth + 1, regions) for v in tree]
    if kind is not dict or len(tree) != 1:
        raise WireError("malformed value")
    (tag, body), = tree.items()
    if tag == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "__tuple__" and type(body) is list:
        return tuple(decode(v, _depth + 1, regions) for v in body)
    if tag == "__dict__" and type(body) is dict:
        return {k: decode(v, _depth + 1, regions) for k, v in body.items() if type(k) is str}
    if tag == "__ndarray__":
        dtype, shape, raw = _array_bytes(body)
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag == "__shared__" and regions is not None:
        return _shared_array(body, regions)
    raise WireError(f"unknown tag {tag!r}")


def _array_shape(dtype, shape):
    """The element count of an array of ``dtype`` and ``shape`` (as sent), checked."""
    if dtype not in ALLOWED_DTYPES or type(shape) is not list:
        raise WireError("malformed array")
    if not all(type(n) is int and 0 <= n for n in shape) or len(shape) > 8:
        raise WireError("malformed array shape")
    count = math.prod(shape)
    if count > MAX_ARRAY_ELEMENTS:
        raise WireError(f"array of {count} elements is too large to grade")
    return count


def _array_bytes(body):
    """``(dtype, shape, raw bytes)`` of an encoded array, checked."""
    if type(body) is not list or len(body) != 3:
        raise WireError("malformed array")
    dtype, shape, data = body
    count = _array_shape(dtype, shape)
    if type(data) is not str:
        raise WireError("malformed array")
    raw = binascii.a2b_base64(data, strict_mode=True)  # a ValueError for anything but base64
    if len(raw) != count * _ITEMSIZES[dtype]:
        raise WireError("array data does not match its shape")
    return dtype, shape, raw


#: Where each shared array starts in its part of the region (so every view is aligned).
SHARED_ALIGN = 64


def share(tree, data, part, slots, _depth=0):
    """An encoded input with each non-empty array moved out of it (inputs only, grader side).

    The array's bytes are appended to ``data`` (a ``bytearray``: the data of region part
    ``part``) at the next :data:`SHARED_ALIGN` boundary, ``(offset, size)`` is appended to
    ``slots``, and the array becomes ``{"__shared__": [dtype, shape, part, offset]}``.
    Anything else is kept as it is (an array whose bytes do not match its shape too: the child
    reports it, and checks the shape of every shared array before viewing it).
    """
    kind = type(tree)
    if kind is list:
        return tree if _depth >= MAX_DEPTH else [share(v, data, part, slots, _depth + 1) for v in tree]
    if kind is not dict or len(tree) != 1 or _depth >= MAX_DEPTH:
        return tree
    (tag, body), = tree.items()
    if tag == "__tuple__" and type(body) is list:
        return {tag: [share(v, data, part, slots, _depth + 1) for v in body]}
    if tag == "__dict__" and type(body) is dict:
        return {tag: {k: share(v, data, part, slots, _depth + 1) for k, v in body.items()}}
    if tag != "__ndarray__" or type(body) is not list or len(body) != 3:
        return tree
    dtype, shape, text = body
    itemsize = _ITEMSIZES.get(dtype) if type(dtype) is str else None
    if itemsize is None or type(shape) is not list or type(text) is not str:
        return tree
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
        count = math.prod(shape)
    except (ValueError, TypeError):
        return tree
    if not raw or type(count) is not int or len(raw) != count * itemsize:
        return tree
    offset = len(data) + -len(data) % SHARED_ALIGN
    data += _PADDING[:offset - len(data)]
    data += raw
    slots.append((offset, len(raw)))
    return {"__shared__": [dtype, shape, part, offset]}


_PADDING = bytes(SHARED_ALIGN)


def _shared_array(body, regions):
    """A view on the region part that holds a shared array (the job child's side of :func:`share`)."""
    if type(body) is not list or len(body) != 4:
        raise WireError("malformed shared array")
    dtype, shape, part, offset = body
    count = _array_shape(dtype, shape)
    if type(part) is not int or not 0 <= part < len(regions) or regions[part] is None:
        raise WireError("shared array in an unknown region")
    if type(offset) is not int or offset < 0:
        raise WireError("malformed shared array")
    return np.frombuffer(regions[part], dtype=dtype, count=count, offset=offset).reshape(shape)


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def json_items(raw, strings=True):
    """An upper bound on the containers and items a JSON text (bytes) would become, counted
    on the bytes without parsing them. With ``strings=False`` the contents of strings are
    skipped first (exact for valid JSON, and a regular expression's pass over the bytes);
    otherwise brackets and commas inside strings count too."""
    if not strings:
        raw = _JSON_STRING.sub(b'""', raw)
    return raw.count(b"[") + raw.count(b"{") + raw.count(b",")


def fingerprint(value):
    """A digest of a plain value (as :func:`decode` returns them), to tell whether it changed.

    Arrays count by dtype, shape and bytes; dicts by sorted keys. A job sends fingerprints of
    its arguments after a call instead of the arguments themselves; being the job's own, they
    only add what the zygote cannot see (the lists and dicts around the arrays, whose bytes the
    zygote compares itself: see :func:`share`).
    """
    digest = hashlib.sha256()
    _feed(digest, value, 0)
    return digest.hexdigest()


def _feed(digest, value, depth):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if isinstance(value, np.ndarray):
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        digest.update(value.tobytes())  # C order, whatever the array's layout
    elif isinstance(value, dict):
        digest.update(f"d{len(value)}".encode())
        for key in sorted(value, key=str):
            digest.update(f"k{key!r}".encode())
            _feed(digest, value[key], depth + 1)
    elif isinstance(value, tuple | list):
        digest.update(f"{type(value).__name__[0]}{len(value)}".encode())
        for item in value:
            _feed(digest, item, depth + 1)
    else:
        digest.update(f"s{type(value).__name__}{value!r}".encode())


def tree_fingerprint(tree):
    """``fingerprint(decode(tree))`` of an encoded value, without rebuilding it (the grader
    fingerprints the inputs it encoded, to compare with the arguments after a call)."""
    digest = hashlib.sha256()
    _feed_tree(digest, tree, 0)
    return digest.hexdigest()


def _feed_tree(digest, tree, depth):
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        digest.update(f"s{kind.__name__}{tree!r}".encode())
        return
    if kind is list:
        digest.update(f"l{len(tree)}".encode())
        for item in tree:
            _feed_tree(digest, item, depth + 1)
        return
    if kind is not dict or len(tree) != 1:
        raise WireError("malformed value")
    (tag, body), = tree.items()
    if tag == "__float__":
        digest.update(f"sfloat{float(body)!r}".encode())
    elif tag == "__tuple__":
        digest.update(f"t{len(body)}".encode())
        for item in body:
            _feed_tree(digest, item, depth + 1)
    elif tag == "__dict__":
        digest.update(f"d{len(body)}".encode())
        for key in sorted(body, key=str):
            digest.update(f"k{key!r}".encode())
            _feed_tree(digest, body[key], depth + 1)
    elif tag == "__ndarray__":
        dtype, shape, data = body
        digest.update(f"a{_DTYPE_STRS[dtype]}{tuple(shape)}".encode())
        digest.update(binascii.a2b_base64(data, strict_mode=True))
    else:
        raise WireError(f"unknown tag {tag!r}")
