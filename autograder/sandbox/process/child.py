"""The job child: it confines itself, reads its job, runs it (cells, stand-ins, calls),
answers with one JSON line per event, and dies.
"""

import binascii
import json
import marshal
import mmap
import os
import sys

from autograder.sandbox.process.arrays import _sealed_start
from autograder.sandbox.process.confine import _scope_to_itself, _signal_filter
from autograder.sandbox.process.system import (
    MAX_MESSAGE,
    NOFILE,
    RESERVE_BYTES,
    SLOT,
    _read_exact,
    _receive,
    _set_pdeathsig,
    _write_all,
)


class _JobRunner:
    """Running a job in the child: the setup, the context, the cells, the stand-ins, then each
    call, its result sent as one event line (see :class:`_Child` for the process it runs in)."""

    def _run(self, job):
        """The setup, then the cell, the stand-ins and the open calls; then, once the zygote
        sends it (after the open calls' results), the sealed part: the hidden calls."""
        import linecache

        source, template, setup_error = self.zygote.setup
        if source is not None and job.get("setup", "") == source:
            if setup_error:
                return "error", setup_error
            ns = template  # this child's own copy of the namespace the zygote's setup made
        else:
            ns = {"__name__": "__main__", "__builtins__": __builtins__}
            failed = _run_part(job.get("setup", ""), "<setup>", ns, "setup")
            if failed:
                return failed
        _run_context(job.get("context") or (), ns)
        compiled = job.get("compiled_cells") or []
        for k, source in enumerate(job.get("cells", [])):
            name = f"<cell {k}>"
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
            try:
                code = _loaded(compiled[k] if k < len(compiled) else None)
                exec(code or compile(source, name, "exec"), ns)
            except BaseException as exc:
                if isinstance(exc, MemoryError):
                    self._release()
                error = _describe(exc, only_cell=k)
                self._emit("cell_error", {"cell": k, "type": error["type"],
                                          "message": error["message"], "line": error["line"]})
                if isinstance(exc, MemoryError):
                    return "memory", f"cell {k}"
        failed = _run_part(job.get("stand_ins", ""), "<stand-ins>", ns, "stand-ins")
        if failed:
            return failed
        calls = job.get("calls", [])
        for i, call in enumerate(calls):
            result, memory = self._call(ns, call)
            self._emit_encoded("result", result)
            if memory:
                return "memory", f"call {i}"
        if self.header.get("sealed"):
            os.set_blocking(self.r_job, True)  # whatever the open calls did to it
            size, arrays = SLOT.unpack(_read_exact(self.r_job, SLOT.size))
            self.regions.append(self._region(_sealed_start(self.header.get("arrays", 0)), arrays))
            self._close_memfd()
            sealed = json.loads(_read_exact(self.r_job, size))
            for i, call in enumerate(sealed, start=len(calls)):
                result, memory = self._call(ns, call)
                self._emit_encoded("result", result)
                if memory:
                    return "memory", f"call {i}"
        return "ok", ""

    def _call(self, ns, call):
        """Run one call; returns ``(result as compact JSON text, memory error text or None)``."""
        wire = self.wire
        name = call.get("function", "")
        value, error, memory = None, None, None
        try:
            regions = self.regions
            args = [wire.decode(a, regions=regions) for a in call.get("args", [])]
            kwargs = {k: wire.decode(v, regions=regions) for k, v in call.get("kwargs", {}).items()}
        except Exception as exc:
            return _invalid_input(exc), None
        stand_ins = call.get("stand_ins")
        if stand_ins:
            try:
                exec(self._compiled(stand_ins, call.get("stand_ins_code")), ns)
            except MemoryError:
                raise
            except BaseException as exc:
                return _invalid_input(exc), None
        function = ns.get(name)
        try:
            if function is None:
                raise NameError(f"name {name!r} is not defined")
            value = function(*args, **kwargs)
        except BaseException as exc:
            if isinstance(exc, MemoryError):
                self._release()
                memory = "out of memory"
            error = _describe(exc)
        value_tree = None
        if error is None:
            value_tree, error = self._encode(value, "the return value")
        if call.get("digest_args"):
            # Fingerprints of the arguments after the call, to detect in-place changes cheaply.
            args_after = [self._digest(arg) for arg in args]
            kwargs_after = {key: self._digest(arg) for key, arg in kwargs.items()}
        else:
            args_after = []
            for j, arg in enumerate(args):
                tree, problem = self._encode(arg, f"argument {j} after the call")
                args_after.append(tree)
                error = error or problem
            kwargs_after = {}
            for key, arg in kwargs.items():
                tree, problem = self._encode(arg, f"argument {key!r} after the call")
                kwargs_after[key] = tree
                error = error or problem
        result = {"value": value_tree, "error": error, "args_after": args_after,
                  "kwargs_after": kwargs_after}
        text = json.dumps(result, separators=(",", ":"), allow_nan=False)
        if len(text) > self.budget:
            message = f"the result is too large to return ({len(text)} bytes)"
            text = json.dumps({"value": None, "error": _unsupported(message),
                               "args_after": [None] * len(args_after),
                               "kwargs_after": dict.fromkeys(kwargs_after)},
                              separators=(",", ":"), allow_nan=False)
        return text, memory

    def _compiled(self, stand_ins, code):
        """Stand-in code loaded (or compiled) once per job (the calls of a check share theirs)."""
        if stand_ins not in self.stand_in_code:
            self.stand_in_code[stand_ins] = _loaded(code) or compile(stand_ins, "<stand-ins>", "exec")
        return self.stand_in_code[stand_ins]

    def _digest(self, value):
        try:
            return self.wire.fingerprint(value)
        except MemoryError:
            raise
        except BaseException:
            return None

    def _encode(self, value, what):
        try:
            return self.wire.encode(value), None
        except MemoryError:
            raise
        except BaseException as exc:
            return None, _unsupported(f"{what}: {_safe_str(exc)}")


class _Child(_JobRunner):
    """A job child: forked in advance by the zygote, it confines itself, waits for its job, runs
    it (:class:`_JobRunner`) and finishes with a "done" line; one job, then it exits."""

    def __init__(self, zygote, r_job, w_res, w_out, zygote_pid, memfd):
        self.zygote = zygote
        self.r_job, self.w_res, self.w_out, self.zygote_pid = r_job, w_res, w_out, zygote_pid
        self.memfd = memfd
        self.regions = []  # the job's arrays: its memfd mapped, part by part (see _Shared)
        self.wire = zygote.wire
        self.stand_in_code = {}  # source -> code object, for the calls of this job

    def main(self):
        # Prepared while idle, before any job arrives, touching as little of the zygote's
        # memory as it can: every page this child writes to is a page the kernel copies.
        # (The cwd, umask, no-new-privs and signal dispositions come from the zygote.)
        os.setsid()
        _set_pdeathsig(self.zygote_pid)
        self._fds()
        zygote = self.zygote
        scoped = zygote.scoped and _scope_to_itself()
        zygote.filter.load()
        if not scoped:  # the Landlock scope already keeps this child's signals to itself
            _signal_filter(os.getpid()).load()
        # the job
        self.header = _receive(self.r_job)
        self.budget = self.header["max_reply"] - 4096
        self._limits()
        self.regions.append(self._region(0, self.header.get("arrays", 0)))
        if not self.header.get("sealed"):
            self._close_memfd()
        body = _read_exact(self.r_job, self.header["body"])
        job = json.loads(body)
        del body
        self.reserve = mmap.mmap(-1, RESERVE_BYTES)  # never touched: costs address space only
        try:
            status, detail = self._run(job)
        except MemoryError:
            self._release()
            status, detail = "memory", "out of memory"
        self._finish(status, detail)

    def _release(self):
        if self.reserve is not None:
            self.reserve.close()
            self.reserve = None

    def _region(self, offset, size):
        """``size`` bytes of the memfd from ``offset``, mapped shared (None for none, or when the
        memfd is gone: then the arrays in it cannot be decoded, and their calls say so)."""
        if not size:
            return None
        try:
            return mmap.mmap(self.memfd, size, flags=mmap.MAP_SHARED,
                             prot=mmap.PROT_READ | mmap.PROT_WRITE, offset=offset)
        except (OSError, ValueError, TypeError):
            return None

    def _close_memfd(self):
        if self.memfd is not None:
            try:
                os.close(self.memfd)
            except OSError:
                pass
            self.memfd = None

    def _fds(self):
        devnull = self.zygote.devnull
        os.dup2(devnull, 0)
        os.dup2(self.w_out, 1)
        os.dup2(self.w_out, 2)
        keep = sorted({0, 1, 2, self.r_job, self.w_res, self.memfd} | self.zygote.keep_fds)
        low = 3
        for fd in keep + [1 << 20]:
            if fd >= low:
                os.closerange(low, fd)
                low = fd + 1
        _, self.stdout, self.stderr = self.zygote.streams  # sys's streams already (see start)

    def _limits(self):
        import resource

        lim = self.header["limits"]
        cpu = max(1, int(lim["cpu_seconds"]))
        memory, size = int(lim["memory_bytes"]), int(lim["file_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))

    # -- events
    def _emit(self, kind, body):
        self._emit_encoded(kind, json.dumps(body, separators=(",", ":"), allow_nan=False))

    def _emit_encoded(self, kind, encoded):
        """Send one event line whose body is already compact JSON text (encoded once)."""
        line = f'{{"{kind}":{encoded}}}\n'.encode()
        self.budget -= len(line)
        _write_all(self.w_res, line)

    def _finish(self, status, detail):
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        if detail:  # for the instructor's log: the reply's output, never its status line
            try:
                self.stderr.write(f"\n[sandbox] {detail}\n")
                self.stderr.flush()
            except BaseException:
                pass
        self._emit("done", {"status": status, "detail": ""})
        os._exit(0)




def _run_context(statements, ns):
    """The notebook's own imports and constants (``context``), one statement at a time.

    A statement that fails (a module the sandbox lacks, a name from a cell that was not run) is
    skipped: it costs the student nothing unless the function uses what it would have bound. An
    import of a module this worker already holds runs as written (it costs a lookup); any other
    binds a :class:`_Deferred` stand-in, imported when first used.
    """
    for k, statement in enumerate(statements):
        module = statement.get("module")
        try:
            if module is None or module in sys.modules:
                exec(compile(statement["source"], f"<context {k}>", "exec"), ns)
            elif statement.get("name") != "*":  # the names of a star import are not known
                ns[statement["bind"]] = _Deferred(module, statement.get("name"), statement.get("top"))
        except Exception:
            continue


class _Deferred:
    """A module the notebook imports (or a name from it) that this worker does not hold:
    imported the first time the student's code uses it (an attribute, or a call)."""

    __slots__ = ("_module", "_name", "_top", "_value")

    def __init__(self, module, name, top):
        self._module, self._name, self._top, self._value = module, name, top, None

    def _resolve(self):
        if self._value is None:
            module = self._module
            __import__(module)
            if self._name is None:
                self._value = sys.modules[module.partition(".")[0] if self._top else module]
            else:
                try:
                    self._value = getattr(sys.modules[module], self._name)
                except AttributeError:  # a submodule not imported by its package
                    __import__(f"{module}.{self._name}")
                    self._value = sys.modules[f"{module}.{self._name}"]
        return self._value

    def __getattr__(self, attribute):
        if attribute in _Deferred.__slots__:  # a copy made without __init__
            raise AttributeError(attribute)
        return getattr(self._resolve(), attribute)

    def __call__(self, *args, **kwargs):
        return self._resolve()(*args, **kwargs)

    def __repr__(self):
        what = self._module + (f".{self._name}" if self._name else "")
        return f"<{what}, imported when first used>"


def _run_part(source, filename, ns, what):
    """Run the job's ``what`` (setup, stand-ins) in ``ns``: None, or ``(status, detail)`` if it
    failed (a memory error propagates, as for the rest of the job)."""
    try:
        exec(compile(source, filename, "exec"), ns)
    except MemoryError:
        raise
    except BaseException as exc:
        return "error", f"{what} failed: " + _describe_text(exc)
    return None


def _loaded(code):
    """The code object the grader compiled and sent (marshalled, base64), or None."""
    if not isinstance(code, str):
        return None
    try:
        return marshal.loads(binascii.a2b_base64(code))
    except Exception:
        return None


def _invalid_input(exc):
    return json.dumps({"value": None, "error": {**_describe(exc), "type": "InvalidInput"},
                       "args_after": [], "kwargs_after": {}}, separators=(",", ":"))


def _unsupported(message):
    return {"type": "UnsupportedValue", "message": message[:MAX_MESSAGE], "line": None,
            "cell": None}


def _safe_str(exc):
    try:
        text = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    except BaseException:
        text = "<unprintable message>"
    if not isinstance(text, str):
        text = "<unprintable message>"
    return text[:MAX_MESSAGE]


def _type_name(exc):
    name = getattr(type(exc), "__name__", "Exception")
    return name if isinstance(name, str) else "Exception"


def _describe_text(exc):
    return f"{_type_name(exc)}: {_safe_str(exc)}"


def _cell_of(filename):
    if isinstance(filename, str) and filename.startswith("<cell ") and filename.endswith(">"):
        try:
            return int(filename[6:-1])
        except ValueError:
            return None
    return None


def _describe(exc, only_cell=None):
    """type, message and the innermost student (cell) line of an exception."""
    cell = line = None
    if isinstance(exc, SyntaxError):
        k = _cell_of(exc.filename)
        if k is not None and (only_cell is None or k == only_cell):
            cell, line = k, exc.lineno
    if cell is None:
        tb = exc.__traceback__
        while tb is not None:
            k = _cell_of(tb.tb_frame.f_code.co_filename)
            if k is not None and (only_cell is None or k == only_cell):
                cell, line = k, tb.tb_lineno
            tb = tb.tb_next
    return {"type": _type_name(exc), "message": _safe_str(exc),
            "line": line if isinstance(line, int) else None, "cell": cell}
