"""Does nbgrader's in-kernel path (the hidden regions'
:func:`autograder.platforms.nbgrader_bridge.hidden_tests`) grade the function the kernel holds:
full points for the instructor's, less for a mistake, the reason printed, the kernel's namespace
as it was, and whose draw it is read where nbgrader puts it?

The kernel is a dict here: each function is defined in it from its source, as a cell would."""

import pytest

from autograder.grading import reference
from autograder.grading.checks import seed_for
from autograder.platforms import nbgrader_bridge

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
    assert printed and all(line.startswith("✓ ") and len(line) > 4 for line in printed)  # each check's name


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


def test_does_a_function_that_changes_a_number_in_its_list_argument_earn_nothing_for_it(capsys):
    source = reference.load("initialization").function(ZEROS).source.replace(
        "    return parameters", "    layers_dims[0] += 1\n    return parameters")  # the sizes, in place
    assert "layers_dims[0] += 1" in source
    namespace = _kernel(source)
    assert nbgrader_bridge.hidden_tests(ZEROS, namespace) == 0
    assert "the function changed its argument number 1 in place" in capsys.readouterr().out


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


def test_does_the_n_dimensional_checker_get_the_epsilons_its_checks_ask_for(capsys):
    spec = reference.load("gradient_checking")
    namespace = _kernel(spec.function("gradient_check_n").source, "gradient_checking")
    points = spec.function("gradient_check_n").points
    assert nbgrader_bridge.hidden_tests("gradient_check_n", namespace) == points


def test_is_an_unwritten_function_said_to_be_unwritten_by_name(capsys):
    namespace = _kernel(f"def {ZEROS}(layers_dims):\n    raise NotImplementedError\n")
    assert nbgrader_bridge.hidden_tests(ZEROS, namespace) == 0
    assert f"{ZEROS} is not written yet: it still raises NotImplementedError" in capsys.readouterr().out


def test_is_what_the_function_prints_kept_out_of_the_grading_output(capsys):
    source = reference.load("initialization").function(ZEROS).source.replace(
        "def initialize_parameters_zeros(layers_dims):",
        "def initialize_parameters_zeros(layers_dims):\n    print('NOISE FROM THE STUDENT')")
    assert nbgrader_bridge.hidden_tests(ZEROS, _kernel(source)) == 10
    assert "NOISE" not in capsys.readouterr().out


def test_does_a_kernel_that_raises_on_floating_point_errors_not_fail_a_right_answer(capsys):
    import numpy as np

    source = reference.load("initialization").function(ZEROS).source.replace(
        "def initialize_parameters_zeros(layers_dims):",
        "def initialize_parameters_zeros(layers_dims):\n    _ = np.float64(1.0) / 0.0")
    before = np.seterr(all="raise")  # a student's cell may have said so
    try:
        assert nbgrader_bridge.hidden_tests(ZEROS, _kernel(source)) == 10
    finally:
        np.seterr(**before)


def test_does_an_unreadable_value_say_what_the_grader_could_not_read(capsys):
    namespace = _kernel(f"def {ZEROS}(layers_dims):\n    return {{'W1': object()}}\n")
    assert nbgrader_bridge.hidden_tests(ZEROS, namespace) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("✗ published case")
    assert line.endswith("returned a value the grader cannot read: values of type object cannot be graded")


def test_are_the_hidden_inputs_drawn_for_this_student_secret_and_code(tmp_path, monkeypatch, capsys):
    spec = reference.load("initialization")
    cell = spec.function(ZEROS).source
    (tmp_path / "course.secret").write_text("s3cret\n")
    monkeypatch.setenv("AUTOGRADER_SECRET_FILE", str(tmp_path / "course.secret"))
    monkeypatch.setenv("AUTOGRADER_STUDENT", "ana")
    drawn = []
    real = nbgrader_bridge.rng_for
    monkeypatch.setattr(nbgrader_bridge, "rng_for", lambda *args: drawn.append(args) or real(*args))
    namespace = _kernel(cell)
    namespace["In"] = ["", spec.imports, cell]
    nbgrader_bridge.hidden_tests(ZEROS, namespace)
    expected_key = nbgrader_bridge._draw_key(spec, ZEROS, {"In": ["", spec.imports, cell]})
    assert drawn == [(seed_for("ana", "initialization", "s3cret"), ZEROS, expected_key)]
    assert expected_key is not None


def test_is_a_constant_the_function_reads_keyed_only_from_the_cells_above_it():
    spec = reference.load("initialization")
    cell = spec.function(ZEROS).source.replace("np.zeros(", "SCALE * np.zeros(")
    assert cell != spec.function(ZEROS).source

    def key(*cells):
        return nbgrader_bridge._draw_key(spec, ZEROS, {"In": ["", *cells]})

    above = key(spec.imports, "SCALE = 2", cell)
    assert above != key(spec.imports, "SCALE = 3", cell)  # the constant above is part of the code
    assert above == key(spec.imports, "SCALE = 2", cell, "SCALE = 3")  # a cell below is not
    assert key(spec.imports, cell) == key(spec.imports, cell, "SCALE = 3")


def test_does_a_function_that_writes_to_sys_stdout_itself_earn_its_points_its_text_kept_out(capsys):
    source = reference.load("initialization").function(ZEROS).source.replace(
        "def initialize_parameters_zeros(layers_dims):",
        "def initialize_parameters_zeros(layers_dims):\n    import sys\n    sys.stdout.write('NOISE\\n')")
    assert "sys.stdout.write" in source
    assert nbgrader_bridge.hidden_tests(ZEROS, _kernel(source)) == 10
    assert "NOISE" not in capsys.readouterr().out


def test_does_a_function_that_changes_its_argument_still_hear_the_mistake_its_values_show(capsys):
    # the sealed grader matches a changed argument's returned values against the catalogue too
    spec = reference.load("initialization")
    source = spec.function("initialize_parameters_he").source.replace("np.sqrt(2", "np.sqrt(1").replace(
        "    return parameters", "    layers_dims.append(0)\n    return parameters")
    assert "layers_dims.append(0)" in source and "np.sqrt(1" in source
    assert nbgrader_bridge.hidden_tests("initialize_parameters_he", _kernel(source)) == 0
    out = capsys.readouterr().out.splitlines()
    assert "the function changed its argument number 1 in place" in out[0]
    assert out[-1].startswith("Hint: Your weights are scaled by sqrt(1/n_prev) (Xavier)")
