"""Does nbgrader's in-kernel path (the hidden regions' :func:`autograder.nbgrader_bridge.hidden_tests`)
grade the function the kernel holds: full points for the instructor's, less for a mistake, the
reason printed, the kernel's namespace as it was, and whose draw it is read where nbgrader puts it?

The kernel is a dict here: each function is defined in it from its source, as a cell would."""

import pytest

from autograder import nbgrader_bridge, reference

CASES = [(a, name) for a in ("initialization", "regularization") for name in reference.load(a).names]
CASES += [("gradient_checking", "gradient_check")]  # calls forward and backward: stand-ins in the kernel


def _kernel(source, assignment="initialization"):
    """A kernel that ran the notebook's imports cell (the course's modules beside it), then ``source``."""
    spec = reference.load(assignment)
    namespace = {"__name__": "__main__"}
    with reference.assignment_modules(spec.source_dir):
        exec(compile(spec.imports, "<imports>", "exec"), namespace)
    exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_does_the_instructors_function_earn_its_points_and_leave_the_kernel_as_it_was(
        assignment, name, capsys):
    namespace = _kernel(reference.load(assignment).function(name).source, assignment)
    before = dict(namespace)
    assert nbgrader_bridge.hidden_tests(name, namespace) == reference.load(assignment).function(name).points
    assert namespace == before  # stand-ins of the checks are gone again
    printed = capsys.readouterr().out.splitlines()
    assert printed and all(line.startswith("✓ ") for line in printed)


ZEROS = "initialize_parameters_zeros"


def test_does_a_function_that_raises_earn_nothing_and_print_why(capsys):
    namespace = _kernel("def initialize_parameters_zeros(layers_dims):\n    return 1 / 0\n")
    assert nbgrader_bridge.hidden_tests(ZEROS, namespace) == 0
    out = capsys.readouterr().out
    assert "✗ published case" in out and "raised ZeroDivisionError: division by zero" in out
    assert "✓" not in out


def test_does_a_function_that_changes_its_argument_earn_nothing_for_it(capsys):
    source = reference.load("initialization").function(ZEROS).source.replace(
        "def initialize_parameters_zeros(layers_dims):",
        "def initialize_parameters_zeros(layers_dims):\n    layers_dims.insert(0, 0)\n"
        "    layers_dims.pop(0)\n    layers_dims.append(1)")
    namespace = _kernel(source)
    assert nbgrader_bridge.hidden_tests(ZEROS, namespace) == 0
    out = capsys.readouterr().out
    said = "✗ published case [layers_dims = [3, 2, 1]]: the function changed its argument number 1 in place"
    assert said in out


def test_does_a_value_the_grader_cannot_read_earn_nothing_and_say_so(capsys):
    namespace = _kernel(f"def {ZEROS}(layers_dims):\n    return (n for n in layers_dims)\n")
    assert nbgrader_bridge.hidden_tests(ZEROS, namespace) == 0
    assert "returned a value the grader cannot read" in capsys.readouterr().out


def test_is_a_catalogued_mistakes_hint_printed(capsys):
    spec = reference.load("initialization")
    source = spec.function("initialize_parameters_he").source.replace("np.sqrt(2", "np.sqrt(1")
    assert source != spec.function("initialize_parameters_he").source
    namespace = _kernel(source)
    assert nbgrader_bridge.hidden_tests("initialize_parameters_he", namespace) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == ("Hint: Your weights are scaled by sqrt(1/n_prev) (Xavier); He uses sqrt(2/n_prev), "
                       "with n_prev the size of the previous layer.")
    assert all(line.startswith("✗ ") for line in out[:-1])


def test_is_an_unknown_function_refused_by_name():
    with pytest.raises(KeyError, match="nothing_of_the_course is not a graded function of any assignment"):
        nbgrader_bridge.hidden_tests("nothing_of_the_course", {})


def test_is_the_student_the_one_nbgrader_grades_under_else_the_environments(tmp_path, monkeypatch):
    folder = tmp_path / "autograded" / "ana" / "regularization"
    folder.mkdir(parents=True)
    monkeypatch.setenv("AUTOGRADER_STUDENT", "from-env")
    monkeypatch.chdir(folder)
    assert nbgrader_bridge._student() == "ana"
    monkeypatch.chdir(tmp_path)
    assert nbgrader_bridge._student() == "from-env"
    monkeypatch.delenv("AUTOGRADER_STUDENT")
    assert nbgrader_bridge._student() == "student"


def test_is_the_secret_read_from_the_file_the_environment_names(tmp_path, monkeypatch):
    (tmp_path / "course.secret").write_text("  the secret \n")
    monkeypatch.setenv("AUTOGRADER_SECRET_FILE", str(tmp_path / "course.secret"))
    assert nbgrader_bridge._secret() == "the secret"
    monkeypatch.delenv("AUTOGRADER_SECRET_FILE")
    assert nbgrader_bridge._secret() == ""


def test_is_there_no_draw_key_without_the_kernels_cells_or_the_functions_cell():
    spec = reference.load("initialization")
    assert nbgrader_bridge._draw_key(spec, ZEROS, {}) is None
    assert nbgrader_bridge._draw_key(spec, ZEROS, {"In": "not a list"}) is None
    assert nbgrader_bridge._draw_key(spec, ZEROS, {"In": ["", "x = 1"]}) is None
    broken = "# GRADED FUNCTION: initialize_parameters_zeros\ndef initialize_parameters_zeros(:\n"
    assert nbgrader_bridge._draw_key(spec, ZEROS, {"In": ["", broken]}) is None
    cell = spec.function(ZEROS).source
    assert isinstance(nbgrader_bridge._draw_key(spec, ZEROS, {"In": ["", cell]}), str)
