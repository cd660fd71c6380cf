"""Grading on a Dask cluster: connecting to the scheduler (TLS with the flags ``dask scheduler``
and ``dask worker`` take, each failure said in one line) and sending it the students.

Tasks carry the notebooks themselves, so the workers need the kit but not the class's files;
student code runs only in each worker's sandbox subprocesses, as in a local run.
"""

import re
import ssl
import time
from pathlib import Path
from typing import NamedTuple

from autograder.course.batch import error_row, work

MAX_ATTEMPTS = 2  # a student whose task fails is retried once, then gets an error row
CONNECT_SECONDS = 10  # a Dask scheduler that has not answered by then is reported (Dask waits 30 s)


class ClusterError(Exception):
    """The Dask scheduler cannot be used (TLS flags, certificate files, connection); raised before
    anything is written."""


class TLSFiles(NamedTuple):
    """``--tls-ca-file``, ``--tls-cert`` and ``--tls-key`` of ``grade-class``: Dask's own flags."""

    ca_file: str | Path | None = None
    cert: str | Path | None = None
    key: str | Path | None = None


#: Each file of :class:`TLSFiles`: its flag, its ``Security`` field, and Dask's config key for it.
_TLS_FIELDS = (("--tls-ca-file", "tls_ca_file", "distributed.comm.tls.ca-file"),
               ("--tls-cert", "tls_client_cert", "distributed.comm.tls.client.cert"),
               ("--tls-key", "tls_client_key", "distributed.comm.tls.client.key"))


def dask_security(address, tls=None):
    """The ``distributed.security.Security`` to connect to ``address`` with, its files checked.

    With TLS flags (a :class:`TLSFiles`), as ``dask scheduler`` and ``dask worker`` read them:
    encryption required, a file not given taken from Dask's config. Without, None: the client
    reads Dask's config (``DASK_DISTRIBUTED__COMM__TLS__*`` included) itself, as it always does;
    its files are checked here all the same. Raises :class:`ClusterError`.
    """
    given = {flag: str(path) for (flag, _, _), path in zip(_TLS_FIELDS, tls or (), strict=False)
             if path is not None}
    flags = f"{', '.join(given)} go{'es' if len(given) == 1 else ''}"
    if given and not address:
        raise ClusterError(f"{flags} with --scheduler tls://HOST:PORT")
    if given and not address.startswith("tls://"):
        raise ClusterError(f"{flags} with a tls:// scheduler address, not {address}")
    if not (address or "").startswith("tls://"):
        return None
    import dask
    from distributed.security import Security

    if not given and dask.config.get("distributed.client.security-loader", None):
        return None  # the loader configured gives the client its security
    security = Security(require_encryption=True, **{field: given[flag] for flag, field, _ in _TLS_FIELDS
                                                    if flag in given}) if given else Security()
    names = {field: f"{flag} {given[flag]}" if flag in given else f"{key} {getattr(security, field)}"
             for flag, field, key in _TLS_FIELDS}
    if not (security.tls_ca_file and security.tls_client_cert):
        raise ClusterError(f"a tls:// scheduler needs --tls-ca-file, --tls-cert and --tls-key (or Dask's "
                           f"{_TLS_FIELDS[0][2]}, {_TLS_FIELDS[1][2]} and {_TLS_FIELDS[2][2]})")
    for field, name in names.items():
        value = getattr(security, field)
        if value and "\n" in value:  # PEM text itself, as Dask's config may hold it
            names[field] = name.split()[0]
        elif value and not Path(value).is_file():
            raise ClusterError(f"no such file: {name}")
    ca = security.tls_ca_file
    try:  # loaded here to say which file is wrong; Dask loads them again to connect
        ssl.create_default_context(**{"cadata" if "\n" in ca else "cafile": ca})
    except (ssl.SSLError, OSError) as error:
        raise ClusterError(f"no CA certificate in {names['tls_ca_file']}: {_plain(error)}") from None
    try:
        security.get_connection_args("client")
    except (ssl.SSLError, OSError) as error:
        key = f" with the key {names['tls_client_key']}" if security.tls_client_key else ""
        raise ClusterError(f"cannot load the certificate {names['tls_client_cert']}{key}: "
                           f"{_plain(error)}") from None
    return security if given else None


def connect(address, security=None, timeout=CONNECT_SECONDS):
    """A ``distributed.Client`` of the scheduler at ``address``; :class:`ClusterError` saying why
    not when it does not answer within ``timeout`` seconds or the TLS handshake fails."""
    from distributed import Client

    try:
        return Client(address, security=security, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - Dask raises OSError, ValueError, TypeError ... here
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: "
                           f"{_why_not(error, address, timeout)}") from None


def _plain(error):
    """``error``'s message without OpenSSL's source line."""
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(error)).strip()
    return text or error.__class__.__name__


def _why_not(error, address, timeout):
    """Why connecting to ``address`` failed, in words, from ``error`` and the errors behind it."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    said = " ".join(f"{e.__class__.__name__}: {e}" for e in chain)
    openssl = re.search(r"\[(?:SSL|X509)[^\]]*\][^(<>]*", said)  # Dask may keep it only in a message
    detail = _plain(openssl.group()) if openssl else next(
        (f"{e.__class__.__name__}: {_plain(e)}" for e in reversed(chain) if str(e)),
        chain[0].__class__.__name__)
    tls = address.startswith("tls://")
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return f"its certificate is not signed by the CA of --tls-ca-file ({detail})"
    if "WRONG_VERSION_NUMBER" in said or "IOStream is not idle" in said:
        return f"it does not speak TLS: is it a tcp:// scheduler? ({detail})"
    if tls and ("_ALERT_" in said or "EOF occurred" in said
                or any(isinstance(e, ssl.SSLError | ConnectionResetError) for e in chain)):
        return (f"it refused the TLS handshake: is --tls-cert signed by the CA the scheduler trusts, "
                f"and still valid? ({detail})")
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Timed out" in said:
        refused = any(isinstance(e, ConnectionRefusedError) for e in chain)
        return (f"{'connection refused' if refused else 'no answer'} for {timeout:g} s: is the scheduler "
                f"running, at that address and port? ({detail})")
    if not tls and any(isinstance(e, ConnectionResetError) for e in chain):
        return f"it closed the connection at once: is it a tls:// scheduler? ({detail})"
    return detail


def run_dask(client, submissions, secret, on_result, layer=None):
    """Grade on an existing Dask cluster through ``client``; each student is retried once if its
    task fails.

    Tasks carry the notebooks themselves (read here, with the same checks as a local run),
    so the workers need the kit but not the class's files.
    """
    from distributed import as_completed

    window = max(4, 4 * len(client.scheduler_info().get("workers", {})))
    queue = list(enumerate(submissions))[::-1]
    attempts, futures = {}, {}
    running = as_completed()

    def submit_next():
        """Send the next student that can be read; a student whose files cannot be gets an
        error row at once. False when the queue is empty."""
        while queue:
            index, submission = queue.pop()
            try:
                packed = submission.packed()
            except OSError as error:
                on_result(submission, error_row(submission, f"cannot read the notebooks: {error}"))
                continue
            submit(index, submission, packed)
            return True
        return False

    def submit(index, submission, packed):
        future = client.submit(work, packed, secret, layer, pure=False,
                               key=f"grade-{index}-{attempts.get(index, 0)}-{time.time_ns()}")
        futures[future.key] = (index, submission, packed)
        running.add(future)

    for _ in range(window):
        if not submit_next():
            break
    for future in running:
        index, submission, packed = futures.pop(future.key)
        try:
            row = future.result()
        except Exception as error:
            attempts[index] = attempts.get(index, 0) + 1
            if attempts[index] < MAX_ATTEMPTS:
                submit(index, submission, packed)
                continue
            row = error_row(submission, f"grading failed on the cluster twice: "
                                        f"{error.__class__.__name__}: {error}")
        on_result(submission, row)
        submit_next()
