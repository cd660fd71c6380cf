"""Does grading work through every sandbox layer, one function at a time?"""

import dataclasses
import json

import pytest

from autograder.grade import Graders, grade_notebook
from autograder.reference import ROOT
from autograder.sandbox import available_layers
from tests.capabilities import skip_layer

CLASS = ROOT / "tests" / "sample_class" / "submitted"
LAYERS = available_layers()


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_sandbox_layer_grades_the_reference_and_a_mistake_alike(layer):
    if LAYERS[layer] is not None:
        skip_layer(layer, LAYERS[layer])
    with Graders(layer=layer) as graders:
        reference = grade_notebook(CLASS / "ada/regularization/Regularization.ipynb", graders=graders)
        mistake = grade_notebook(CLASS / "dev/regularization/Regularization.ipynb", graders=graders)
    assert reference.provenance["isolation"] == layer
    assert reference.score == 50
    assert mistake.score == 20
    for result in (reference, mistake):  # the JSON form is the dataclasses' own, field for field
        assert json.dumps(result.to_dict()) == json.dumps(dataclasses.asdict(result))


def test_a_student_gets_the_same_result_whatever_the_order_of_cells(tmp_path):
    source = CLASS / "ben/gradient_checking/Gradient_Checking.ipynb"
    notebook = json.loads(source.read_text())
    notebook["cells"].reverse()
    shuffled = tmp_path / "ben" / "gradient_checking" / "Gradient_Checking.ipynb"
    shuffled.parent.mkdir(parents=True)
    shuffled.write_text(json.dumps(notebook))
    with Graders() as graders:
        assert grade_notebook(shuffled, graders=graders).score == 50


def test_does_a_line_numpy_2_no_longer_accepts_get_plain_advice_with_the_students_line(tmp_path):
    from tests.sample_class.build import student_notebook

    work = {"initialization": {"initialize_parameters_zeros": [
        "for l in range(1, L):\n"
        "    parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=np.float)\n"
        "    parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"]}}
    path = tmp_path / "nia" / "initialization" / "Initialization.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(student_notebook("initialization", work)))
    with Graders() as graders:
        function = grade_notebook(path, graders=graders).functions["initialize_parameters_zeros"]
    assert function.score == 0 and function.status == "error"
    assert function.hint.startswith("numpy 2") and "np.float" in function.hint, function.hint
    hidden = [c for c in function.checks if not c.name.startswith("published case")]
    assert hidden and all(c.message.endswith(": raised an exception") for c in hidden)
