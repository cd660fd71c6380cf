"""What crosses the boundary: a job as the grader frames it, a reply as the grader checks it.

The reply from the sandbox is untrusted: it is size-capped, parsed as plain
JSON and its shape is checked here; values stay JSON trees for
:func:`autograder.sandbox.wire.decode`. Nothing is ever pickled.

A job (inputs only)::

    {"setup": str, "cells": [str, ...], "stand_ins": str,
     "context": [{"source": str, "module": str, "name": str | None, "bind": str | None,
                  "top": bool}, ...] (optional),
     "calls": [{"function": str, "args": [wire tree, ...], "kwargs": {str: wire tree},
                "stand_ins": str (optional), "digest_args": bool (optional)}],
     "sealed_calls": [...] (optional, as calls)}

A call's own ``stand_ins`` are executed just before it; with ``digest_args`` its
``args_after`` holds :func:`autograder.sandbox.wire.fingerprint` digests (computed by the job, so only
as trustworthy as the job) instead of the arguments. ``context`` is the notebook's own imports and constants
(:mod:`autograder.grading.context`), one statement each; ``module`` (with ``name``,
``bind`` and ``top``) only for an import.

The child runs ``setup``, then the ``context`` statements one at a time (a failing
one is skipped; an import of a module the worker does not hold binds a stand-in
that imports it on first use), then each cell in one namespace (file name ``<cell K>``,
K the 0-based index in ``cells``; an exception is recorded and the next cell
runs), then ``stand_ins``, then each call in order. The reply::

    {"status": "ok" | "timeout" | "memory" | "crashed" | "output_limit" | "error",
     "detail": str, "cell_errors": [{"cell", "type", "message", "line"}],
     "results": [{"value", "error", "args_after", "kwargs_after", "args_changed",
                  "kwargs_changed"}, ...],
     "output": str, "seconds": float}

``results`` holds one entry per completed call (also after a timeout or crash);
``args_changed`` (positions) and ``kwargs_changed`` (names) are the arguments holding an
array whose bytes the zygote, not the job, found changed when the job had ended (see
"Array arguments" below);
``error`` is None or ``{"type", "message", "line", "cell"}`` with the line of the
innermost student frame. "error" means setup or stand-ins failed, or the worker
misbehaved; "output_limit" means the job printed more than
``max(16 * output_bytes, 8 MiB)`` and was stopped (below that, output is capped
and the truncation noted in ``detail``); a failed MemoryError job stops at that
cell or call with "memory".

Array arguments: every non-empty array of a call's arguments (also inside lists, tuples
and dicts) travels as raw bytes beside the job (:func:`autograder.sandbox.wire.share`), and the
zygote writes them into a memfd it made for the job child before forking it; the child maps
it (``MAP_SHARED``) and the arrays the student's function receives are views on that memory.
The zygote keeps its own copy of the bytes (in a mapping no child inherits) and, once the
child is dead, compares each array's bytes with it; which arrays differ goes into the
reply's head, which the zygote writes and frames itself (the job's own event lines follow
it as raw bytes of a size the head gives), so nothing the job's code patches (the wire
module, the digests, the reply writer) reaches that verdict. A hidden call's arrays are
written only when its sealed part is sent, and the layout of that part (sizes) travels with
it, never in the header a child can read before.
"""

import binascii
import functools
import json
import marshal
import math
import struct

from autograder.sandbox.wire import json_items, share

STATUSES = frozenset({"ok", "timeout", "memory", "crashed", "output_limit", "error"})
MAX_REPLY_BYTES = 8 << 20  # events of one job (values, errors) the worker may send
MAX_JSON_NODES = 50_000  # containers and items of one event line, counted before parsing
MAX_JSON_DEPTH = 64  # bracket nesting of one event line (values nest at most wire.MAX_DEPTH)
MAX_TEXT = 4000


def _dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


def _compiled(source, filename):
    """``source`` compiled as a job child compiles it, marshalled and in base64; None when it does
    not compile (the child then compiles it and reports the error itself)."""
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except Exception:  # whatever it is, the child meets it again and reports it for this cell
        return None
    return binascii.b2a_base64(marshal.dumps(code), newline=False).decode("ascii")


_compiled_stand_ins = functools.lru_cache(maxsize=256)(_compiled)  # the grader's own sources


def _with_code(call):
    stand_ins = call.get("stand_ins")
    return {**call, "stand_ins_code": _compiled_stand_ins(stand_ins, "<stand-ins>")} if stand_ins else call


_FRAME = struct.Struct(">I")  # a frame's length, before its bytes
_SLOT = struct.Struct(">II")  # a part's count of arrays, then each one's (offset, size) in its data


def _shared_calls(calls, part, first, owners):
    """``(calls, part bytes)``: ``calls`` with their arrays moved to region part ``part``
    (:func:`autograder.sandbox.wire.share`), and that part as the zygote reads it: the count of arrays
    and each one's ``(offset, size)`` (:data:`_SLOT`), then their bytes; ``b""`` without arrays.
    Appends each array's ``(call number, argument)`` to ``owners`` (calls numbered from ``first``)."""
    data, slots, shared = bytearray(), [], []
    for number, call in enumerate(calls, start=first):
        args, kwargs = [], {}
        for position, tree in enumerate(call.get("args", [])):
            before = len(slots)
            args.append(share(tree, data, part, slots))
            owners.extend([(number, position)] * (len(slots) - before))
        for key, tree in call.get("kwargs", {}).items():
            before = len(slots)
            kwargs[key] = share(tree, data, part, slots)
            owners.extend([(number, key)] * (len(slots) - before))
        shared.append(_with_code({**call, "args": args, "kwargs": kwargs}))
    if not slots:
        return shared, b""
    table = b"".join(_SLOT.pack(*slot) for slot in [(len(slots), 0), *slots])
    return shared, table + bytes(data)


def _mark_changed(results, changed, owners):
    """Give each result the arguments whose arrays the zygote found changed (``changed``: indices
    into ``owners``)."""
    for result in results:
        result["args_changed"], result["kwargs_changed"] = [], []
    for index in changed:
        number, where = owners[index]
        if number < len(results):
            key = "args_changed" if type(where) is int else "kwargs_changed"
            if where not in results[number][key]:
                results[number][key].append(where)


def _framed(job):
    """``((open arrays, body, sealed part), counts, owners)`` of a checked job, encoded once.

    Cells and stand-ins travel compiled as well (the same interpreter runs both sides), so
    a job child loads code instead of compiling it; a hidden call's stand-ins stay in the
    sealed part with it. The calls' arrays travel as raw bytes in a part of their own
    (:func:`_shared_calls`); ``owners[k]`` is ``(call number, argument position or name)``
    of the k-th array, open calls' first. The sealed part is framed by its own sizes
    (JSON, then arrays), so the header says only whether there is one.
    """
    owners = []
    calls, arrays = _shared_calls(job.get("calls", []), 0, 0, owners)
    n_open = len(calls)
    sealed_calls, sealed_arrays = _shared_calls(job.get("sealed_calls", []), 1, n_open, owners)
    opened = {k: v for k, v in job.items() if k != "sealed_calls"}
    opened["calls"] = calls
    opened["compiled_cells"] = [_compiled(source, f"<cell {k}>")
                                for k, source in enumerate(job.get("cells", []))]
    body = _dumps(opened)
    sealed = b""
    if sealed_calls:
        text = _dumps(sealed_calls)
        sealed = _FRAME.pack(len(text)) + _FRAME.pack(len(sealed_arrays)) + text + sealed_arrays
    return (arrays, body, sealed), {"n_cells": len(job.get("cells", ())),
                                    "n_calls": n_open + len(sealed_calls), "n_open": n_open}, owners


def _check_calls(calls, what):
    if not isinstance(calls, list | tuple):
        raise TypeError(f"{what} is a list")
    for call in calls:
        if (type(call) is not dict or not isinstance(call.get("function"), str)
                or not isinstance(call.get("args", []), list | tuple)
                or not isinstance(call.get("kwargs", {}), dict)
                or not isinstance(call.get("stand_ins", ""), str)):
            raise TypeError("each call is {'function': str, 'args': [...], 'kwargs': {...}}")


def _check_job(job):
    if type(job) is not dict:
        raise TypeError("a job is a dict")
    unknown = set(job) - {"setup", "cells", "stand_ins", "calls", "sealed_calls", "context"}
    if unknown:
        raise ValueError(f"unknown job keys {sorted(unknown)}")
    if not isinstance(job.get("setup", ""), str) or not isinstance(job.get("stand_ins", ""), str):
        raise TypeError("setup and stand_ins are source strings")
    cells = job.get("cells", [])
    if not isinstance(cells, list | tuple) or not all(isinstance(c, str) for c in cells):
        raise TypeError("cells is a list of source strings")
    _check_calls(job.get("calls", []), "calls")
    _check_calls(job.get("sealed_calls", []), "sealed_calls")
    _check_context(job.get("context", []))
    return job


def _check_context(context):
    if not isinstance(context, list | tuple):
        raise TypeError("context is a list")
    for item in context:
        if (type(item) is not dict or not set(item) <= {"source", "module", "name", "bind", "top"}
                or not isinstance(item.get("source"), str)
                or not all(isinstance(item.get(key), str | None) for key in ("module", "name", "bind"))
                or not isinstance(item.get("top", False), bool)):
            raise TypeError("each context statement is {'source': str} or, for an import, "
                            "{'source', 'module', 'name', 'bind', 'top'}")


def _failure(status, detail, seconds):
    return {"status": status, "detail": detail, "cell_errors": [], "results": [], "output": "",
            "seconds": round(float(seconds), 6)}


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


_EVENTS = json.JSONDecoder(parse_constant=_reject_constant)  # one decoder for every event line


def _optional_int(value):
    return value is None or type(value) is int


def _text(value, what, limit=MAX_TEXT):
    if type(value) is not str:
        raise ValueError(f"{what} is not a string")
    return value[:limit]


def _checked_head(raw, seq, limits, n_arrays=0, max_reply=MAX_REPLY_BYTES):
    """The zygote's own head of a reply: status, detail, sizes of the raw parts that follow (the
    events at most ``max_reply`` bytes), and which of the job's ``n_arrays`` shared arrays it
    found changed."""
    try:
        head = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if type(head) is not dict:
        raise ValueError("not an object")
    if head.get("id") != seq:
        raise ValueError("answer to another request")
    if head.get("status") not in STATUSES:
        raise ValueError(f"unknown status {head.get('status')!r:.50}")
    for key, limit in (("events", max_reply), ("output", limits.output_bytes),
                       ("open_events", max_reply)):
        if type(head.get(key)) is not int or not 0 <= head[key] <= limit:
            raise ValueError(f"malformed {key} size")
    seconds = head.get("seconds")
    if type(seconds) not in (int, float) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError("malformed seconds")
    usage = {key: head[key] for key in ("cpu", "faults")
             if type(head.get(key)) in (int, float) and 0 <= head[key] < 1e9}
    changed = head.get("changed", [])
    if type(changed) is not list or not all(type(k) is int and 0 <= k < n_arrays for k in changed):
        raise ValueError("malformed changed arrays")
    return {"status": head["status"], "detail": _text(head.get("detail"), "detail"),
            "events": head["events"], "output": head["output"],
            "open_events": head["open_events"], "seconds": float(seconds),
            "restart": head.get("restart") is True, "usage": usage, "changed": changed}


def too_complex(raw):
    """Whether a JSON text holds more than :data:`MAX_JSON_NODES` containers and items (counted
    on the bytes, before anything is parsed), or nests deeper than :data:`MAX_JSON_DEPTH` would
    allow; such a value is refused without turning it into objects."""
    if json_items(raw) > MAX_JSON_NODES:
        return True
    return _depth(raw, raw.count(b"[") + raw.count(b"{")) > MAX_JSON_DEPTH


def _depth(raw, opened):
    """Nesting depth of brackets in ``raw`` (strings included: an upper bound)."""
    if opened <= MAX_JSON_DEPTH:
        return opened
    depth = deepest = 0
    for byte in raw.translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_TOO_COMPLEX = {"type": "UnsupportedValue", "message": "the value is too large or too deeply "
                "nested to grade", "line": None, "cell": None}


def _checked_error(error, n_cells):
    if error is None:
        return None
    if type(error) is not dict or set(error) != {"type", "message", "line", "cell"}:
        raise ValueError("malformed error")
    if not _optional_int(error["line"]) or not _optional_int(error["cell"]):
        raise ValueError("malformed error location")
    if error["cell"] is not None and not 0 <= error["cell"] < max(n_cells, 1):
        raise ValueError("error in an unknown cell")
    return {"type": _text(error["type"], "error type", 200),
            "message": _text(error["message"], "error message"),
            "line": error["line"], "cell": error["cell"]}


def _checked_events(head, raw, n_cells, n_calls):
    """The reply dict from the zygote's head and the job's raw event lines.

    Each line is bounded (:func:`too_complex`) before it is parsed; a result too large or too
    deeply nested becomes an error of that kind for its call alone. Every result and cell error
    says whether it arrived before the job's hidden inputs were sent (``open``).
    """
    cell_errors, results, position = [], [], 0
    for line in raw.split(b"\n"):
        end = position + len(line)
        is_open = end < head["open_events"]
        position = end + 1
        if not line:
            continue
        if too_complex(line):
            if not line.startswith(b'{"result":'):
                raise ValueError("an event too large to parse")
            results.append({"value": None, "error": dict(_TOO_COMPLEX), "args_after": [],
                            "kwargs_after": {}, "open": is_open})
            continue
        try:
            event = _EVENTS.decode(line.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"an event is not JSON: {exc}") from None
        if type(event) is not dict or len(event) != 1:
            raise ValueError("malformed event")
        (kind, item), = event.items()
        if kind == "done":
            continue
        if kind == "cell_error":
            checked = _checked_error(item, n_cells)
            if checked is None or checked["cell"] is None or checked["cell"] >= n_cells:
                raise ValueError("cell error in an unknown cell")
            cell_errors.append({**checked, "open": is_open})
        elif kind == "result":
            if type(item) is not dict or set(item) != {"value", "error", "args_after",
                                                       "kwargs_after"}:
                raise ValueError("malformed result")
            if type(item["args_after"]) is not list or type(item["kwargs_after"]) is not dict:
                raise ValueError("malformed arguments after the call")
            results.append({"value": item["value"],
                            "error": _checked_error(item["error"], n_cells),
                            "args_after": item["args_after"],
                            "kwargs_after": item["kwargs_after"], "open": is_open})
        else:
            raise ValueError("unknown event")
    if len(cell_errors) > n_cells or len(results) > n_calls:
        raise ValueError("more events than the job asked for")
    return {"status": head["status"], "detail": head["detail"], "cell_errors": cell_errors,
            "results": results, "output": "", "seconds": head["seconds"],
            "usage": head.get("usage", {})}
