"""The README's TLS recipe, run as written: its openssl lines make a CA, a certificate for the
cluster and one for ``grade-class``; its ``dask scheduler`` and ``dask worker`` lines start a
cluster on 127.0.0.1 (free ports, one worker process) as separate processes, and its
``grade-class`` line grades two students of the sample class with ``--tls-ca-file``,
``--tls-cert`` and ``--tls-key``. Whatever keeps ``grade-class`` from the scheduler (a certificate
it refuses, a missing file, the other protocol, nobody at the port) is one ``error:`` line and
exit status 2, and nothing is written.
"""

import json
import re
import shlex
import shutil
import socket
import subprocess
import time
from types import SimpleNamespace

import psutil
import pytest

from tests.deploy.conftest import CLASS, EXPECTED, ROOT, VENV_BIN, clean_env, only_venv_path, run

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.skipif(shutil.which("openssl") is None,
                                 reason="no openssl on this machine: the README's recipe needs it")]

STUDENTS = ("cleo", "dev")  # two students with points lost in each assignment
#: The README's ``grade-class`` line without its TLS flags.
NO_FLAGS = {word: None for word in ("--tls-ca-file", "--tls-cert", "--tls-key",
                                    "tls/ca.pem", "tls/client.pem", "tls/client.key")}


def readme_section():
    text = (ROOT / "README.md").read_text()
    return text[text.index("### Grading on a cluster"):text.index("## Course platforms")]


def sh_block(containing):
    """The ```sh block of the README's cluster section that holds ``containing``."""
    return next(block for block in re.findall(r"```sh\n(.*?)```", readme_section(), re.DOTALL)
                if containing in block)


def commands(block):
    """The commands of ``block``, each a list of words (continued lines joined, comments left out)."""
    lines = block.replace("\\\n", " ").splitlines()
    return [shlex.split(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def inline_commands():
    """The ``.venv/bin/dask ...`` commands the section gives inline (the try without TLS)."""
    return [shlex.split(" ".join(found.split()))
            for found in re.findall(r"`(\.venv/bin/dask [^`]*)`", readme_section())]


def adapted(command, ports, words=None):
    """``command`` as the test runs it: the venv's programs, ``ports`` (README's port: free port)
    in place of the README's, one worker process, and ``words`` replaced."""
    done = []
    for word in command:
        if word.startswith(".venv/bin/"):
            word = str(VENV_BIN / word.removeprefix(".venv/bin/"))
        word = re.sub(r"\b(8786|8787)\b", lambda port: str(ports[int(port.group())]), word)
        if done and done[-1] == "--nworkers":
            word = "1"
        done.append((words or {}).get(word, word))
    return done


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(pid):
    """The (ip, port) pairs that process ``pid`` and all its children listen on."""
    family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return {(c.laddr.ip, c.laddr.port) for p in family for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN}


def wait_for_port(port, process, deadline):
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, f"exited with status {process.returncode}"
            assert time.monotonic() < deadline, f"nothing listens on port {port}"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, processes):
    """The README's certificates (and another CA's, in ``other/``), its TLS scheduler and worker,
    and its scheduler of the try without TLS, all started from the folder holding ``tls/``."""
    from distributed import Client
    from distributed.security import Security

    work = tmp_path_factory.mktemp("tls")
    (work / "other").mkdir()
    for folder in (work, work / "other"):  # the README's lines, twice: two unrelated CAs
        run(["sh", "-ec", sh_block("openssl req -x509")], cwd=folder, env=clean_env())
    scheduler, worker, grade = commands(sh_block("dask scheduler"))
    tcp_scheduler = next(c for c in inline_commands() if c[1] == "scheduler")
    ports, tcp_ports = ({8786: free_port(), 8787: free_port()} for _ in range(2))
    logs = {name: open(work / f"{name}.log", "w") for name in ("scheduler", "worker", "tcp")}  # noqa: SIM115
    started = {name: processes.start(adapted(command, chosen), cwd=work, env=only_venv_path(),
                                     stdout=logs[name], stderr=logs[name])
               for name, command, chosen in (("scheduler", scheduler, ports), ("worker", worker, ports),
                                             ("tcp", tcp_scheduler, tcp_ports))}
    address = f"tls://127.0.0.1:{ports[8786]}"
    security = Security(tls_ca_file=str(work / "tls/ca.pem"), tls_client_cert=str(work / "tls/client.pem"),
                        tls_client_key=str(work / "tls/client.key"), require_encryption=True)
    try:
        deadline = time.monotonic() + 60
        wait_for_port(ports[8786], started["scheduler"], deadline)
        wait_for_port(tcp_ports[8786], started["tcp"], deadline)
        with Client(address, security=security, timeout=10) as client:
            client.wait_for_workers(1, timeout=60)
        yield SimpleNamespace(work=work, address=address, ports=ports, tcp_ports=tcp_ports, grade=grade,
                              started=started)
    finally:
        for log in logs.values():
            log.close()


def start_grading(cluster, out, words=None, env=None, students=STUDENTS):
    """The README's ``grade-class`` line on ``students``, with ``words`` replaced (by None: left
    out), started now."""
    folder = out.parent / "submitted"
    if not folder.exists():
        folder.mkdir(parents=True)
        for student in students:
            shutil.copytree(CLASS / student, folder / student)
    command = adapted(cluster.grade, cluster.ports, {"submitted/": str(folder), "grades/": str(out),
                                                      **(words or {})})
    return subprocess.Popen([word for word in command if word is not None], cwd=cluster.work,
                            env={**only_venv_path(), **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process):
    stdout, stderr = process.communicate(timeout=120)
    return SimpleNamespace(returncode=process.returncode, stdout=stdout, stderr=stderr)


@pytest.fixture(scope="module")
def graded(cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("graded") / "grades"
    return out, finished(start_grading(cluster, out))


def test_does_the_readmes_tls_recipe_give_the_expected_grades(graded):
    out, done = graded
    assert done.returncode == 0, done.stderr
    assert f"{len(STUDENTS)} students, 0 already graded, {len(STUDENTS)} to grade" in done.stderr
    for student in STUDENTS:
        row = json.loads((out / "results" / f"{student}.json").read_text())
        assert row["status"] == "graded"
        scores = {r["assignment"]: {n: f["score"] for n, f in r["functions"].items()} for r in row["results"]}
        assert scores == {a: EXPECTED[student][a] for a in scores} and len(scores) == 3


def test_does_grade_class_take_the_certificates_from_dasks_config_without_the_flags(cluster, graded):
    out, _ = graded
    tls = cluster.work / "tls"
    config = {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(tls / "ca.pem"),
              "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(tls / "client.pem"),
              "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(tls / "client.key")}
    other = {**config, "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(tls.parent / "other/tls/client.pem"),
             "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(tls.parent / "other/tls/client.key")}
    accepted, refused = (start_grading(cluster, out, NO_FLAGS, env) for env in (config, other))
    accepted, refused = finished(accepted), finished(refused)
    assert accepted.returncode == 0, accepted.stderr
    assert refused.returncode == 2 and "refused the TLS handshake" in refused.stderr


@pytest.fixture(scope="module")
def refusals(cluster, tmp_path_factory):
    """What ``grade-class`` says for each way of not reaching the scheduler, all run at once."""
    tls, tcp = cluster.address, f"tcp://127.0.0.1:{cluster.tcp_ports[8786]}"
    cases = {
        "a client certificate of another CA": {"tls/client.pem": "other/tls/client.pem",
                                               "tls/client.key": "other/tls/client.key"},
        "a missing certificate file": {"tls/client.pem": "tls/nowhere.pem"},
        "a tcp:// scheduler reached with tls://": {tls: tcp.replace("tcp://", "tls://")},
        "the tls:// scheduler reached with tcp://": {tls: tls.replace("tls://", "tcp://"), **NO_FLAGS},
        "a port where nothing listens": {tls: f"tls://127.0.0.1:{free_port()}"},
    }
    started = {name: (out, start_grading(cluster, out, words))
               for name, words in cases.items()
               for out in [tmp_path_factory.mktemp("refused") / "grades"]}
    return {name: (out, finished(process)) for name, (out, process) in started.items()}


@pytest.mark.parametrize(("case", "says"), [
    ("a client certificate of another CA", "cannot reach the Dask scheduler at tls://127.0.0.1:{port}: it "
                                           "refused the TLS handshake"),
    ("a missing certificate file", "no such file: --tls-cert tls/nowhere.pem"),
    ("a tcp:// scheduler reached with tls://", "cannot reach the Dask scheduler at tls://127.0.0.1:{tcp}: it "
                                               "does not speak TLS"),
    ("the tls:// scheduler reached with tcp://", "cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "
                                                 "it closed the connection at once"),
    ("a port where nothing listens", "for 10 s: is the scheduler running, at that address and port?"),
])
def test_is_each_failure_to_reach_the_scheduler_one_plain_line_and_exit_status_two(refusals, cluster, case,
                                                                                   says):
    out, done = refusals[case]
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert says.format(port=cluster.ports[8786], tcp=cluster.tcp_ports[8786]) in lines[0]
    assert done.stdout == ""
    assert not out.exists()  # nothing written, nothing graded


def test_do_the_readmes_one_machine_commands_listen_on_127_0_0_1_only(cluster):
    sockets = {name: listening(process.pid) for name, process in cluster.started.items()}
    assert len(sockets["scheduler"]) >= 2 and len(sockets["tcp"]) >= 2  # scheduler and dashboard
    assert len(sockets["worker"]) >= 3  # nanny, worker and its dashboard
    assert {ip for pairs in sockets.values() for ip, _ in pairs} == {"127.0.0.1"}, sockets
    assert {cluster.ports[8786], cluster.ports[8787]} <= {port for _, port in sockets["scheduler"]}
    # the try without TLS binds its worker as the TLS one does
    tls_worker = commands(sh_block("dask scheduler"))[1]
    tcp_worker = next(c for c in inline_commands() if c[1] == "worker")
    for flag in ("--host", "--dashboard-address"):
        assert tcp_worker[tcp_worker.index(flag) + 1] == tls_worker[tls_worker.index(flag) + 1]
