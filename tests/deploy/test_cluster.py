"""A real Dask cluster, started as the README says: ``dask scheduler`` and ``dask worker
--nworkers 2 --nthreads 1`` as separate processes, from a folder that is not the repository and an
environment holding only ``PATH`` to the venv's bin folder (TCP on 127.0.0.1 here; the README
documents TLS for real use). ``grade-class --scheduler`` must give the sample class the very
``grades.csv`` a local run gives, also when one worker process is killed in the middle of the run.
"""

import json
import os
import signal
import socket
import time

import pytest

from tests.deploy.conftest import CLASS, STUDENTS, VENV_BIN, only_venv_path

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, processes):
    """``(address, client)`` of a scheduler and one ``dask worker`` command running two worker
    processes; all of them (and whatever they started) are stopped after the module."""
    from distributed import Client

    work = tmp_path_factory.mktemp("cluster")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = {name: open(work / f"{name}.log", "w") for name in ("scheduler", "worker")}  # noqa: SIM115
    # Dashboards on 127.0.0.1 too: --no-dashboard still listens on every interface.
    processes.start([VENV_BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", port,
                     "--dashboard-address", "127.0.0.1:0"], cwd=work, env=only_venv_path(),
                    stdout=logs["scheduler"], stderr=logs["scheduler"])
    processes.start([VENV_BIN / "dask", "worker", address, "--nworkers", 2, "--nthreads", 1,
                     "--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0",
                     "--local-directory", work / "workers"], cwd=work,
                    env=only_venv_path(), stdout=logs["worker"], stderr=logs["worker"])
    client = None
    try:
        deadline = time.monotonic() + 60
        while client is None:
            try:
                client = Client(address, timeout=5)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        client.wait_for_workers(2, timeout=90)
        yield address, client, work
    finally:
        if client is not None:
            client.close()
        for log in logs.values():
            log.close()


def grade_on(address, out, secret_file, cwd):
    """``grade-class --scheduler`` started in the background, as a grader would type it."""
    import subprocess

    return subprocess.Popen([str(VENV_BIN / "python"), "-m", "autograder", "grade-class", str(CLASS),
                             "--out", str(out), "--scheduler", address, "--secret-file", str(secret_file)],
                            cwd=cwd, env=only_venv_path(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def stored(out):
    """The stored rows, without what differs between identical runs (timings, seals)."""
    rows = {}
    for path in sorted((out / "results").glob("*.json")):
        row = json.loads(path.read_text())
        for key in ("seconds", "fingerprint", "seal"):
            row.pop(key, None)
        for result in row["results"]:
            result["provenance"].pop("seconds", None)
        rows[path.stem] = row
    return rows


def test_does_a_worker_killed_mid_run_leave_every_student_with_the_row_of_a_local_run(
        cluster, local_run, secret_file, tmp_path):
    # First on the cluster, while its workers are cold: the run lasts long enough to kill one.
    address, client, _ = cluster
    out = tmp_path / "out"
    grading = grade_on(address, out, secret_file, tmp_path)
    killed = None
    try:
        deadline = time.monotonic() + 120
        while killed is None and grading.poll() is None and time.monotonic() < deadline:
            # kill a worker process that holds a student, once the first student is done
            if list((out / "results").glob("*.json")) if (out / "results").is_dir() else []:
                busy = [worker for worker, keys in client.processing().items() if keys]
                if busy:
                    killed = client.run(os.getpid, workers=busy[:1])[busy[0]]
                    os.kill(killed, signal.SIGKILL)
                    still_running = grading.poll() is None
                    break
            time.sleep(0.02)
        stdout, stderr = grading.communicate(timeout=300)
    finally:
        if grading.poll() is None:
            os.killpg(grading.pid, signal.SIGKILL)
            grading.wait()
    assert killed is not None, "no worker held a student while the class was graded: nothing was tested"
    assert still_running, "the run ended before the worker was killed: nothing was tested"
    assert grading.returncode == 0, stderr
    assert (out / "grades.csv").read_bytes() == (local_run / "grades.csv").read_bytes()
    assert stored(out) == stored(local_run)
    assert sorted(stored(out)) == STUDENTS
    assert all(row["status"] == "graded" for row in stored(out).values())
    # the killed process is gone for good; its nanny started a fresh one in its place
    client.wait_for_workers(2, timeout=90)
    assert killed not in client.run(os.getpid).values()


def test_does_the_cluster_give_the_local_grades_csv_byte_for_byte(cluster, local_run, secret_file, tmp_path):
    address, client, _ = cluster
    out = tmp_path / "out"
    grading = grade_on(address, out, secret_file, tmp_path)
    stdout, stderr = grading.communicate(timeout=300)
    assert grading.returncode == 0, stderr
    assert (out / "grades.csv").read_bytes() == (local_run / "grades.csv").read_bytes()
    assert stored(out) == stored(local_run)
    assert f"{len(STUDENTS)} students, 0 already graded, {len(STUDENTS)} to grade" in stderr


def test_do_the_cluster_commands_need_no_pythonpath_nor_the_repository_as_working_folder(cluster):
    # What the README's commands rely on: the workers import the installed kit.
    address, client, work = cluster
    where = client.run(lambda: __import__("autograder").__file__)
    assert len(where) >= 2
    for path in where.values():
        assert path.endswith(os.path.join("autograder", "__init__.py"))
    environments = client.run(lambda: (os.environ.get("PYTHONPATH"), os.getcwd()))
    for pythonpath, cwd in environments.values():
        assert pythonpath is None
        assert not cwd.startswith(str(CLASS.parents[2]))
