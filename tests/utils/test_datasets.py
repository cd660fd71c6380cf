"""Questions about the kit's datasets: the generated field dataset and the .mat loader."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from utils import datasets
from utils.datasets import DatasetError, load_2D_dataset, make_field_dataset, write_field_dataset

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "source" / "regularization" / "datasets" / "field.mat"


def rng_state():
    """The global numpy RNG state, in a form that compares with ==."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return kind, keys.tobytes(), pos, has_gauss, cached


def write_mat(path, **arrays):
    scipy.io.savemat(path, arrays)
    return path


# --- make_field_dataset -------------------------------------------------------------------


def test_field_dataset_is_the_same_on_every_call():
    first, second = make_field_dataset(), make_field_dataset()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_field_dataset_depends_on_its_seed():
    default = make_field_dataset()
    other = make_field_dataset(seed=datasets.FIELD_SEED + 1)
    assert not np.array_equal(default[0], other[0])
    np.testing.assert_array_equal(make_field_dataset(seed=datasets.FIELD_SEED)[0], default[0])


def test_field_dataset_has_the_mat_layout_shapes_and_dtypes():
    X, y, Xval, yval = make_field_dataset()
    assert X.shape == (211, 2) and X.dtype == np.float64
    assert y.shape == (211, 1) and y.dtype == np.uint8
    assert Xval.shape == (200, 2) and Xval.dtype == np.float64
    assert yval.shape == (200, 1) and yval.dtype == np.uint8


def test_field_dataset_covers_the_pitch_with_two_roughly_balanced_classes():
    X, y, Xval, yval = make_field_dataset()
    for points, labels in ((X, y), (Xval, yval)):
        assert set(np.unique(labels)) == {0, 1}
        assert 0.4 <= labels.mean() <= 0.6
        # x1 in about [-0.6, 0.3], x2 in about [-0.66, 0.57]
        assert points[:, 0].min() >= -0.6 and points[:, 0].max() <= 0.3
        assert points[:, 1].min() >= -0.66 and points[:, 1].max() <= 0.57
        assert points[:, 0].min() < -0.55 and points[:, 0].max() > 0.25
        assert points[:, 1].min() < -0.6 and points[:, 1].max() > 0.5


def test_field_dataset_labels_follow_the_curved_frontier_with_some_noise():
    X, y, _, _ = make_field_dataset()
    above = X[:, 1] > datasets.field_frontier(X[:, 0])
    agreement = np.mean(above == y[:, 0].astype(bool))
    assert 0.85 <= agreement < 1.0  # mostly the frontier's side, but noisy


def test_field_dataset_leaves_the_global_rng_alone():
    np.random.seed(123)
    before = rng_state()
    make_field_dataset()
    assert rng_state() == before


# --- the shipped file ----------------------------------------------------------------------


def test_shipped_field_file_holds_exactly_the_generated_dataset():
    data = scipy.io.loadmat(SHIPPED)
    for key, generated in zip(datasets.MAT_KEYS, make_field_dataset(), strict=True):
        assert data[key].dtype == generated.dtype, key
        np.testing.assert_array_equal(data[key], generated, err_msg=key)


def test_writing_the_field_dataset_reproduces_the_shipped_bytes(tmp_path):
    first, second = tmp_path / "a.mat", tmp_path / "b.mat"
    write_field_dataset(first)
    write_field_dataset(second)  # a later call: no timestamp may leak into the file
    assert first.read_bytes() == second.read_bytes() == SHIPPED.read_bytes()
    assert scipy.io.loadmat(first)["__header__"] == datasets.FIELD_HEADER


def test_shipped_field_file_is_not_the_courses_data_file():
    # sha256 of the course's data.mat (see shared/datasets/README.md)
    course = "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() != course


# --- load_2D_dataset -------------------------------------------------------------------------


def test_loader_returns_the_arrays_transposed(tmp_path):
    X = np.arange(10.0).reshape(5, 2)
    y = np.array([[1], [0], [1], [1], [0]], dtype=np.uint8)
    Xval = -np.arange(6.0).reshape(3, 2)
    yval = np.array([[0], [1], [0]], dtype=np.uint8)
    path = write_mat(tmp_path / "tiny.mat", X=X, y=y, Xval=Xval, yval=yval)
    train_X, train_Y, test_X, test_Y = load_2D_dataset(path)
    np.testing.assert_array_equal(train_X, X.T)
    np.testing.assert_array_equal(train_Y, y.T)
    np.testing.assert_array_equal(test_X, Xval.T)
    np.testing.assert_array_equal(test_Y, yval.T)
    assert train_Y.dtype == np.uint8


def test_loader_reads_the_shipped_field_file_in_the_course_layout():
    train_X, train_Y, test_X, test_Y = load_2D_dataset(SHIPPED)
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == (
        (2, 211), (1, 211), (2, 200), (1, 200)
    )
    X, y, Xval, yval = make_field_dataset()
    np.testing.assert_array_equal(train_X, X.T)
    np.testing.assert_array_equal(test_Y, yval.T)


def test_loader_reports_a_missing_file_by_name(tmp_path):
    missing = tmp_path / "nowhere" / "field.mat"
    with pytest.raises(FileNotFoundError) as error:
        load_2D_dataset(missing)
    assert str(missing) in str(error.value)


def check_dataset_error(path, *expected_phrases):
    with pytest.raises(DatasetError) as error:
        load_2D_dataset(path)
    assert not isinstance(error.value, KeyError)
    message = str(error.value)
    assert str(path) in message
    for phrase in expected_phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"


def test_loader_rejects_a_file_that_is_not_a_mat_file(tmp_path):
    text = tmp_path / "notes.mat"
    text.write_text("these are not the points you are looking for\n" * 20)
    check_dataset_error(text, "MATLAB .mat")
    empty = tmp_path / "empty.mat"
    empty.write_bytes(b"")
    check_dataset_error(empty, "MATLAB .mat")


def test_loader_names_the_missing_key(tmp_path):
    path = write_mat(tmp_path / "partial.mat", X=np.zeros((4, 2)), y=np.zeros((4, 1)),
                     Xval=np.zeros((3, 2)))
    check_dataset_error(path, "yval", "X, y, Xval, yval")


@pytest.mark.parametrize(
    "shapes",
    [
        {"X": (5, 3)},  # three features
        {"y": (4, 1)},  # one label short
        {"yval": (1, 3)},  # labels as a row
    ],
    ids=["three-features", "label-count", "label-row"],
)
def test_loader_rejects_wrong_shapes_and_says_what_it_expected(tmp_path, shapes):
    arrays = {"X": (5, 2), "y": (5, 1), "Xval": (3, 2), "yval": (3, 1)} | shapes
    path = write_mat(tmp_path / "bad.mat", **{k: np.zeros(s) for k, s in arrays.items()})
    check_dataset_error(path, "(m, 2)", "(m, 1)")


def test_loader_leaves_the_global_rng_alone():
    np.random.seed(7)
    before = rng_state()
    load_2D_dataset(SHIPPED)
    assert rng_state() == before
