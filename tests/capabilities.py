"""What some tests need that a machine may lack, how their skips say so, and the count at the end.

A test that needs something this machine lacks (a sandbox layer, Chromium, the course's original
data file) is skipped with a reason made by :func:`reason`: ``not tested here: <capability>
(<why>)``. At the end of the run, just above pytest's final line, :func:`pytest_terminal_summary`
(a hook of ``tests/conftest.py``) prints one line per capability with the number of tests
skipped for it, so a green run says what it did not test::

    not tested here: the bubblewrap sandbox layer (bubblewrap (bwrap) is not installed): 23 tests skipped
"""

from collections import Counter

import pytest

PREFIX = "not tested here: "
#: The capability each sandbox layer is.
LAYERS = {"bwrap": "the bubblewrap sandbox layer", "namespaces": "the namespaces sandbox layer",
          "rlimits": "the rlimits sandbox layer"}
CHROMIUM = "the pages as Chromium renders them"
ORIGINAL_DATA = "the course's original data file"


def reason(capability, why):
    """The skip reason of a test that needs ``capability``, missing here because ``why``."""
    return f"{PREFIX}{capability} ({why})"


def skip_layer(layer, why):
    """Skip the running test: the sandbox ``layer`` is unusable here (``why``)."""
    __tracebackhide__ = True  # the skip is reported where this was called
    pytest.skip(reason(LAYERS[layer], why))


def layer_params(usable):
    """``parametrize`` values for every sandbox layer, given ``{layer: None or why it is unusable}``
    (``available_layers()``): an unusable layer's test is skipped, so it is counted, not lost."""
    return [pytest.param(layer, marks=() if why is None else
                         pytest.mark.skip(reason=reason(LAYERS[layer], why)))
            for layer, why in usable.items()]


def _skip_reason(report):
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    return text.removeprefix("Skipped: ")


def missing(skipped):
    """``[(capability, why, count)]`` of the skip reports ``skipped`` made by :func:`reason`, in
    order of first appearance; ``why`` is the one given most often for that capability."""
    counts, whys = Counter(), {}
    for report in skipped:
        text = _skip_reason(report)
        if not text.startswith(PREFIX):
            continue
        capability, _, why = text[len(PREFIX):].partition(" (")
        counts[capability] += 1
        whys.setdefault(capability, Counter())[why.removesuffix(")")] += 1
    return [(capability, _short(whys[capability].most_common(1)[0][0]), count)
            for capability, count in counts.items()]


def _short(why, limit=120):
    why = " ".join(why.split())  # a sandbox's start-up error may run over lines
    return why if len(why) <= limit else why[:limit - 3] + "..."


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """After pytest's own summary (the short test summary included), before its final line."""
    try:
        return (yield)
    finally:
        for capability, why, count in missing(terminalreporter.stats.get("skipped", [])):
            tests = f"{count} test{'s' if count > 1 else ''}"
            terminalreporter.write_line(f"{PREFIX}{capability} ({why}): {tests} skipped", yellow=True)
