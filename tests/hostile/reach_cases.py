"""Hostile cases on what decides a check: code that patches whatever of the grader it can reach.

A job child runs the worker's own code (its wire module, its digests, its reply writer, its copy
of the zygote's comparison) in the process the student's code runs in, so the student's code can
replace any of it. These cases do, and then change their array arguments in place, or forge the
value a result reports. Whether an array argument was changed is the zygote's finding (it
compares the memory the arrays lived in, after the job, with its own copy of the bytes), and a
value is decoded and judged by the grader alone, so each case gets what its honest work earns:
the same as the plain mutation (:data:`PLAIN`), and nothing for a forged value.

Decided here: an argument whose bytes are as they were sent when the job ends is unchanged, so a
function that changes an array and puts its bytes back before returning is graded as one that
never touched it (``reach_mutate_then_restore``). The lists and dicts around the arrays exist
only in the job's memory: a change to them (a key rebound, an item appended) is seen by the
job's own digest, so it costs the plain submission its marks (``reach_dict_key_rebound``,
``reach_list_append``), but code that forges that digest can hide it (the README's security
model says so; ``tests/hostile/test_hostile_reach.py`` pins it down). An array inside a dict or
tuple is an array: changed in place, the zygote sees it whatever the job forges
(``reach_dict_array_forged_digest``).
"""

from tests.hostile.corpus import Case
from tests.hostile.vocabulary_cases import GC, INIT, REG
from tests.hostile.vocabulary_cases import wrapped as cell

GROUP = "out of reach"


#: Finds what the job uses to digest its arguments, encode its values and write its events, from
#: the frames that called the function (each ``self``, its class and its attributes, each frame's
#: globals) and from gc (the worker freezes what it made before the fork, which gc then no longer
#: lists): the wire module (any module with a ``fingerprint``), the worker's classes (any with
#: ``_digest``, ``_emit_encoded`` or a ``changed`` comparison) and globals (``_write_all``, ``_same``).
REACH = '''
import gc
import json
import sys
import types

_STATE = {}
_BEFORE = {}


def _reachable():
    things = []
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        if owner is not None:
            things += [owner, type(owner)] + list(getattr(owner, "__dict__", {}).values())
        things += list(frame.f_globals.values())
        frame = frame.f_back
    return things + gc.get_objects()


def _unique(things):
    found = []
    for thing in things:
        if not any(thing is seen for seen in found):
            found.append(thing)
    return found


def _wire_modules():
    return _unique(thing for thing in _reachable()
                   if isinstance(thing, types.ModuleType) and hasattr(thing, "fingerprint"))


def _worker_classes(attribute):
    return _unique(thing for thing in _reachable() if isinstance(thing, type) and attribute in vars(thing))


def _real_fingerprint():
    return _STATE.setdefault("fingerprint", _wire_modules()[0].fingerprint)
'''

#: ``_forge_digests(*values)``: from now on every digest the job makes of one of ``values`` is the
#: digest of it as it is now, and the job's copy of the zygote's comparison finds nothing changed.
FORGE_DIGESTS = REACH + '''

def _forge_digests(*values):
    real = _real_fingerprint()
    _BEFORE.clear()
    _BEFORE.update({id(value): real(value) for value in values})
    if _STATE.get("digests"):
        return
    _STATE["digests"] = True

    def fingerprint(value):
        return _BEFORE.get(id(value)) or real(value)

    for module in _wire_modules():
        module.fingerprint = fingerprint
    for kind in _worker_classes("_digest"):
        kind._digest = lambda self, value: fingerprint(value)
        kind._call.__globals__["_same"] = lambda *args: True
    for kind in _worker_classes("changed"):
        if "place" in vars(kind):
            kind.changed = lambda self, *args: []
'''

#: ``_forge_reply(*values)``: from now on every result line the job writes says its arguments came
#: back as ``values`` are now (their digests), whatever the worker's code computed.
FORGE_REPLY = REACH + '''

def _forge_reply(*values):
    real = _real_fingerprint()
    _STATE["after"] = [real(value) for value in values]
    if _STATE.get("writer"):
        return
    _STATE["writer"] = True
    for kind in _worker_classes("_emit_encoded"):
        space = kind._emit_encoded.__globals__
        write = space["_write_all"]

        def forged(fd, data, _write=write):
            if bytes(data[:10]) == b'{"result":':
                event = json.loads(bytes(data))
                event["result"]["args_after"] = _STATE["after"]
                data = (json.dumps(event, separators=(",", ":")) + "\\n").encode()
            return _write(fd, data)

        space["_write_all"] = forged
'''

#: ``_forge_value()``: the job's wire module encodes every float as the published answer, and its
#: reply writer puts that answer in every result line, error or not.
FORGE_VALUE = REACH + '''

def _forge_value():
    if _STATE.get("value"):
        return
    _STATE["value"] = True
    for module in _wire_modules():
        def encode(value, _depth=0, _real=module.encode):
            plain = isinstance(value, (int, float)) and not isinstance(value, bool)
            return _real({{PUB_BACKWARD}} if plain else value, _depth)
        module.encode = encode
    for kind in _worker_classes("_emit_encoded"):
        space = kind._emit_encoded.__globals__
        write = space["_write_all"]

        def forged(fd, data, _write=write):
            if bytes(data[:10]) == b'{"result":':
                event = json.loads(bytes(data))
                event["result"].update(value={{PUB_BACKWARD}}, error=None)
                data = (json.dumps(event, separators=(",", ":")) + "\\n").encode()
            return _write(fd, data)

        space["_write_all"] = forged
'''

BACKWARD_REG = "backward_propagation_with_regularization"
BACKWARD_SIGNATURE = "(X, Y, cache, lambd)"
#: The issue's finding: the right gradients, then W3, A1 (in the cache) and X changed in place.
MUTATE = ("    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache\n"
          "    W3 *= 0\n"
          "    A1[...] = 0\n"
          "    X += 1\n")


def _backward(name, tries, body, prelude="", score=0, says="in place"):
    return Case(name, GROUP, tries, "regularization", {**REG, BACKWARD_REG: score},
                answers={BACKWARD_REG: cell("regularization", BACKWARD_REG, BACKWARD_SIGNATURE, body, prelude)},
                status={BACKWARD_REG: "failed" if score == 0 else "passed"},
                says={BACKWARD_REG: says} if says else {})


def _cost(name, tries, body, prelude="", score=0):
    function = "compute_cost_with_regularization"
    return Case(name, GROUP, tries, "regularization", {**REG, function: score},
                answers={function: cell("regularization", function, "(A3, Y, parameters, lambd)", body,
                                        prelude)},
                status={function: "failed" if score == 0 else "passed"},
                says={function: "in place"} if score == 0 else {})


#: The plain mutation the forging cases are compared with, check by check.
PLAIN = _backward("reach_plain_mutation", "the right gradients, then W3, A1 and X changed in place (no trick)",
                  "    gradients = _right(X, Y, cache, lambd)\n" + MUTATE + "    return gradients")

CASES = [
    PLAIN,
    _backward("reach_patch_digests_then_mutate",
              "replaces the job's digest function (wherever it is), its _digest and its copy of the "
              "zygote's comparison so the arguments look as sent, then changes W3, A1 and X in place",
              "    gradients = _right(X, Y, cache, lambd)\n    _forge_digests(X, Y, cache, lambd)\n"
              + MUTATE + "    return gradients", prelude=FORGE_DIGESTS),
    _backward("reach_patch_reply_writer_then_mutate",
              "rewrites every result line the job writes with the digests of its arguments as sent, "
              "then changes W3, A1 and X in place",
              "    gradients = _right(X, Y, cache, lambd)\n    _forge_reply(X, Y, cache, lambd)\n"
              + MUTATE + "    return gradients", prelude=FORGE_REPLY),
    _backward("reach_mutate_then_restore",
              "changes W3, A1 and X in place and puts their bytes back before returning the right "
              "gradients (decided: unchanged)",
              "    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache\n"
              "    saved = [a.copy() for a in (X, A1, W3)]\n"
              "    W3 *= 0\n    A1[...] = 0\n    X += 1\n"
              "    for array, before in zip((X, A1, W3), saved):\n"
              "        array[...] = before\n"
              "    return _right(X, Y, cache, lambd)", score=10, says=""),
    Case("reach_forge_encoded_value", GROUP,
         "backward_propagation returns theta, and the job's wire encoder and reply writer turn every "
         "value into the published answer", "gradient_checking", {**GC, "backward_propagation": 0},
         answers={"backward_propagation": cell("gradient_checking", "backward_propagation", "(x, theta)",
                                               "    _forge_value()\n    return theta", FORGE_VALUE)},
         status={"backward_propagation": "failed"}),
    _cost("reach_dict_array_forged_digest",
          "the right cost, then parameters['W1'] (an array in the dict) changed in place with the "
          "job's digests forged",
          "    cost = _right(A3, Y, parameters, lambd)\n    _forge_digests(A3, Y, parameters, lambd)\n"
          "    parameters['W1'] *= 0\n    return cost", prelude=FORGE_DIGESTS),
    _cost("reach_dict_key_rebound",
          "the right cost, then parameters['W1'] rebound to a new array (the dict changed, no trick)",
          "    cost = _right(A3, Y, parameters, lambd)\n    parameters['W1'] = parameters['W1'] * 0\n"
          "    return cost"),
    Case("reach_list_append", GROUP, "the right He weights, then layers_dims.append(1) (no trick)",
         "initialization", {**INIT, "initialize_parameters_he": 0},
         answers={"initialize_parameters_he": cell("initialization", "initialize_parameters_he", "(layers_dims)",
                                                   "    parameters = _right(layers_dims)\n"
                                                   "    layers_dims.append(1)\n    return parameters")},
         status={"initialize_parameters_he": "failed"}, says={"initialize_parameters_he": "in place"}),
]

#: The documented limit: a dict's key rebound (job memory only) with the job's digests forged is
#: not seen; the README's security model says so. Graded in the test, never part of the corpus.
CONTAINER_LIMIT = _cost("reach_dict_key_rebound_forged_digest",
                        "parameters['W1'] rebound with the job's digests forged: not seen (documented)",
                        "    cost = _right(A3, Y, parameters, lambd)\n"
                        "    _forge_digests(A3, Y, parameters, lambd)\n"
                        "    parameters['W1'] = parameters['W1'] * 0\n    return cost", prelude=FORGE_DIGESTS,
                        score=10)
