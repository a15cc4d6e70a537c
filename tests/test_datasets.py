"""Tests for micrograd_ann.datasets: shapes, seeds, labels, geometry, IDX files, data helpers."""

from __future__ import annotations

import gzip
import math
import random
import statistics
import struct
import sys
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_ann import datasets

# ---------------------------------------------------------------------------------------------
# Logic gates (truth tables written out by hand)
# ---------------------------------------------------------------------------------------------

TWO_INPUT_ROWS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


@pytest.mark.parametrize(
    ("name", "outputs"),
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("nand", [1, 1, 1, 0]),
        ("nor", [1, 0, 0, 0]),
        ("xor", [0, 1, 1, 0]),
        ("XOR", [0, 1, 1, 0]),
    ],
)
def test_logic_gate_truth_tables(name: str, outputs: list[int]) -> None:
    X, y = datasets.logic_gate(name)
    assert X == TWO_INPUT_ROWS
    assert y == outputs
    assert all(isinstance(label, int) for label in y)


def test_logic_gate_with_three_inputs() -> None:
    X, y = datasets.logic_gate("and", inputs=3)
    assert X[0] == [0.0, 0.0, 0.0] and X[-1] == [1.0, 1.0, 1.0] and len(X) == 8
    assert y == [0, 0, 0, 0, 0, 0, 0, 1]
    assert datasets.logic_gate("or", inputs=3)[1] == [0, 1, 1, 1, 1, 1, 1, 1]
    # xor over three inputs is the parity: 1 when an odd number of inputs are on
    assert datasets.logic_gate("xor", inputs=3)[1] == [0, 1, 1, 0, 1, 0, 0, 1]


def test_logic_gate_rejects_unknown_names_and_input_counts() -> None:
    with pytest.raises(ValueError, match="and, or, nand, nor, xor") as raised:
        datasets.logic_gate("xnor")
    assert "'xnor'" in str(raised.value)
    with pytest.raises(ValueError, match="inputs"):
        datasets.logic_gate("and", inputs=0)


# ---------------------------------------------------------------------------------------------
# Seeding: every generated set, same seed → same data
# ---------------------------------------------------------------------------------------------

Generated = tuple[list[list[float]], Sequence[object]]

GENERATORS: dict[str, Callable[..., Generated]] = {
    "sum_of_two": lambda seed: datasets.sum_of_two(50, seed=seed),
    "noisy_line": lambda seed: datasets.noisy_line(20, noise=0.3, seed=seed),
    "two_moons": lambda seed: datasets.two_moons(40, seed=seed),
    "circles": lambda seed: datasets.circles(40, seed=seed),
    "spirals": lambda seed: datasets.spirals(30, seed=seed),
    "blobs": lambda seed: datasets.blobs(30, seed=seed),
}


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_same_seed_gives_identical_data(make: Callable[..., object]) -> None:
    assert make(7) == make(7)
    assert make(random.Random(7)) == make(random.Random(7))
    assert make(7) != make(8)


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_seed_of_the_wrong_type_is_rejected(make: Callable[..., object]) -> None:
    with pytest.raises(TypeError, match="seed"):
        make("seven")


@pytest.mark.parametrize("make", GENERATORS.values(), ids=GENERATORS.keys())
def test_rows_are_lists_of_floats(make: Callable[..., Generated]) -> None:
    X, y = make(0)
    assert isinstance(X, list) and isinstance(y, list) and len(X) == len(y)
    assert all(isinstance(row, list) for row in X)
    assert all(isinstance(value, float) for row in X for value in row)
    assert len({len(row) for row in X}) == 1


# ---------------------------------------------------------------------------------------------
# The tutorials' sets
# ---------------------------------------------------------------------------------------------

def test_sum_of_two_matches_seed_000() -> None:
    X, y = datasets.sum_of_two(seed=0)
    assert len(X) == 1000 and all(len(row) == 2 for row in X)
    assert all(0.0 <= value <= 0.5 for row in X for value in row)
    assert y == [a + b for a, b in X]
    X, y = datasets.sum_of_two(10, low=2.0, high=3.0, seed=1)
    assert all(2.0 <= value <= 3.0 for row in X for value in row)
    with pytest.raises(ValueError, match="low must be less than high"):
        datasets.sum_of_two(low=0.5, high=0.5)
    with pytest.raises(ValueError, match="n must be at least 1"):
        datasets.sum_of_two(0)


def test_test_scores_match_seed_003() -> None:
    raw_hours = [[3, 5], [5, 1], [10, 2]]  # (sleep, study), seed 003
    column_maxima = [10, 5]
    expected_X = [[hours / maximum for hours, maximum in zip(row, column_maxima)]
                  for row in raw_hours]
    X, y = datasets.test_scores()
    assert len(X) == 3
    for row, expected_row in zip(X, expected_X):
        assert row == pytest.approx(expected_row)
    assert X[0] == pytest.approx([0.3, 1.0]) and X[2] == pytest.approx([1.0, 0.4])
    assert y == pytest.approx([0.75, 0.82, 0.93])  # the y array printed in seed 003
    assert [list(row) for row in datasets.TEST_SCORES_HOURS] == raw_hours
    assert list(datasets.TEST_SCORES_PERCENT) == [75, 82, 93]


# ---------------------------------------------------------------------------------------------
# Generated sets: shapes, label sets, geometry
# ---------------------------------------------------------------------------------------------

def test_noisy_line_without_noise_is_the_line() -> None:
    X, y = datasets.noisy_line(5, slope=3.0, intercept=0.5, noise=0.0)
    assert X == [[-1.0], [-0.5], [0.0], [0.5], [1.0]]
    assert y == pytest.approx([-2.5, -1.0, 0.5, 2.0, 3.5])


def test_noisy_line_noise_has_the_requested_spread() -> None:
    X, y = datasets.noisy_line(4000, slope=-1.0, intercept=2.0, noise=0.2, seed=3)
    residuals = [target - (-x + 2.0) for (x,), target in zip(X, y)]
    assert abs(statistics.fmean(residuals)) < 0.02
    assert statistics.pstdev(residuals) == pytest.approx(0.2, rel=0.05)
    with pytest.raises(ValueError, match="noise"):
        datasets.noisy_line(noise=-0.1)


def _distance_to_upper_arc(x: float, y: float) -> float:
    """Distance from (x, y) to the arc (cos t, sin t), t in [0, π]."""
    if y >= 0:
        return abs(math.hypot(x, y) - 1.0)
    return min(math.hypot(x - 1.0, y), math.hypot(x + 1.0, y))


def _distance_to_lower_arc(x: float, y: float) -> float:
    """Distance from (x, y) to the arc (1 − cos t, 0.5 − sin t), t in [0, π]."""
    return _distance_to_upper_arc(1.0 - x, 0.5 - y)


def test_two_moons_without_noise_lie_on_their_arcs() -> None:
    X, y = datasets.two_moons(101, noise=0.0, seed=0)
    assert Counter(y) == {0: 50, 1: 51}
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert [-1.0, pytest.approx(0.0)] in X and [2.0, pytest.approx(0.5)] in X  # arc ends


def test_two_moons_with_noise_stay_near_their_arcs() -> None:
    X, y = datasets.two_moons(400, noise=0.1, seed=1)
    own = [
        _distance_to_upper_arc(a, b) if label == 0 else _distance_to_lower_arc(a, b)
        for (a, b), label in zip(X, y)
    ]
    # for 2-D Gaussian noise of σ = 0.1 the typical distance to a curve is about 0.08
    assert statistics.fmean(own) < 0.12
    assert max(own) < 0.5
    assert y[:20] != sorted(y[:20])  # shuffled, not one class then the other


def test_two_moons_match_scikit_learn_geometry() -> None:
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    points, labels = sklearn_datasets.make_moons(n_samples=30, noise=0.0, shuffle=False)
    X, y = datasets.two_moons(30, noise=0.0, seed=0)
    ours = sorted((round(a, 9), round(b, 9), label) for (a, b), label in zip(X, y))
    theirs = sorted(
        (round(a, 9), round(b, 9), int(label))
        for (a, b), label in zip(points.tolist(), labels.tolist())
    )
    assert ours == theirs


def test_binary_sets_offer_plus_minus_labels() -> None:
    for make in (datasets.two_moons, datasets.circles):
        X01, y01 = make(60, seed=4)
        Xpm, ypm = make(60, seed=4, labels="plus_minus")
        assert Xpm == X01
        assert set(y01) == {0, 1} and set(ypm) == {-1, 1}
        assert ypm == [1 if label == 1 else -1 for label in y01]
        with pytest.raises(ValueError, match="zero_one"):
            make(10, labels="minus_plus")  # type: ignore[arg-type]


def test_circles_radii_and_counts() -> None:
    X, y = datasets.circles(50, noise=0.0, factor=0.3, seed=0)
    assert Counter(y) == {0: 25, 1: 25}
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)
    with pytest.raises(ValueError, match="factor"):
        datasets.circles(factor=1.0)


def test_spirals_counts_and_arms() -> None:
    X, y = datasets.spirals(31, classes=3, noise=0.0, seed=0)
    assert Counter(y) == {0: 11, 1: 10, 2: 10}
    for (a, b), arm in zip(X, y):
        radius = math.hypot(a, b)
        assert 0.0 < radius <= 1.0 + 1e-12
        # documented geometry: angle = 2π·(arm / classes + radius), modulo a full turn
        turn_offset = (math.atan2(b, a) / (2 * math.pi) - arm / 3 - radius) % 1.0
        assert min(turn_offset, 1.0 - turn_offset) < 1e-9
    with pytest.raises(ValueError, match="classes"):
        datasets.spirals(10, classes=1)
    with pytest.raises(ValueError, match="n must be at least 4"):
        datasets.spirals(3, classes=4)


def test_blobs_from_given_centres() -> None:
    centres = [[0.0, 0.0, 0.0], [5.0, -5.0, 1.0]]
    X, y = datasets.blobs(7, centers=centres, std=0.0, seed=0)
    assert Counter(y) == {0: 4, 1: 3}
    assert all(row == centres[label] for row, label in zip(X, y))
    X, y = datasets.blobs(2000, centers=centres, std=0.5, seed=2)
    for label, centre in enumerate(centres):
        members = [row for row, member_label in zip(X, y) if member_label == label]
        for column, coordinate in enumerate(centre):
            values = [row[column] for row in members]
            assert statistics.fmean(values) == pytest.approx(coordinate, abs=0.05)
            assert statistics.pstdev(values) == pytest.approx(0.5, rel=0.08)


def test_blobs_with_random_centres() -> None:
    X, y = datasets.blobs(40, centers=4, std=0.1, seed=5, dimensions=3, center_box=(0.0, 1.0))
    assert len(X) == 40 and all(len(row) == 3 for row in X)
    assert sorted(set(y)) == [0, 1, 2, 3]
    assert all(-1.0 < value < 2.0 for row in X for value in row)
    with pytest.raises(ValueError, match="n must be at least 4"):
        datasets.blobs(3, centers=4)
    with pytest.raises(ValueError, match="row 1 has 1 values"):
        datasets.blobs(4, centers=[[0.0, 0.0], [1.0]])


# ---------------------------------------------------------------------------------------------
# Digits (scikit-learn's 8x8 set)
# ---------------------------------------------------------------------------------------------

def test_digits_shape_and_classes() -> None:
    pytest.importorskip("sklearn")
    X, y = datasets.digits()
    assert len(X) == 1797 and all(len(row) == 64 for row in X)
    assert sorted(set(y)) == list(range(10))
    assert all(isinstance(label, int) for label in y)
    pixels = [value for row in X for value in row]
    assert min(pixels) == 0.0 and max(pixels) == 1.0
    assert all((value * 16).is_integer() for value in pixels)  # ink levels 0..16, divided by 16


def test_digits_without_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"micrograd_ann\[digits\]"):
        datasets.digits()


# ---------------------------------------------------------------------------------------------
# MNIST IDX files (tiny ones written here)
# ---------------------------------------------------------------------------------------------

IMAGES = [bytes([0, 255, 51, 102, 153, 204]), bytes([1, 2, 3, 4, 5, 6]), bytes(6)]
LABELS = [7, 0, 9]


def _idx_images(images: list[bytes], rows: int = 2, columns: int = 3) -> bytes:
    return struct.pack(">IIII", 0x00000803, len(images), rows, columns) + b"".join(images)


def _idx_labels(labels: list[int]) -> bytes:
    return struct.pack(">II", 0x00000801, len(labels)) + bytes(labels)


def _write(folder: Path, name: str, content: bytes, compress: bool = False) -> Path:
    path = folder / (name + ".gz" if compress else name)
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def _write_set(folder: Path, prefix: str = "train", compress: bool = False,
               images: bytes | None = None, labels: bytes | None = None) -> None:
    _write(folder, f"{prefix}-images-idx3-ubyte",
           _idx_images(IMAGES) if images is None else images, compress)
    _write(folder, f"{prefix}-labels-idx1-ubyte",
           _idx_labels(LABELS) if labels is None else labels, compress)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_load_mnist_round_trip(tmp_path: Path, compress: bool) -> None:
    _write_set(tmp_path, compress=compress)
    rows, labels = datasets.load_mnist(tmp_path)
    assert labels == LABELS
    assert rows == [[value / 255 for value in image] for image in IMAGES]
    assert rows[0][:2] == [0.0, 1.0] and rows[0][2] == pytest.approx(0.2)
    X, y = datasets.load_mnist(str(tmp_path), limit=2)
    assert len(X) == 2 and y == LABELS[:2]


def test_load_mnist_test_files(tmp_path: Path) -> None:
    _write_set(tmp_path, prefix="t10k", compress=True)
    X, y = datasets.load_mnist(tmp_path, kind="test")
    assert y == LABELS and len(X) == 3
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        datasets.load_mnist(tmp_path, kind="train")


def test_load_mnist_missing_folder_or_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"does not exist.*train-images-idx3-ubyte\.gz"):
        datasets.load_mnist(tmp_path / "nowhere")
    _write(tmp_path, "train-images-idx3-ubyte", _idx_images(IMAGES))
    with pytest.raises(FileNotFoundError, match=r"train-labels-idx1-ubyte.*download") as raised:
        datasets.load_mnist(tmp_path)
    assert str(tmp_path) in str(raised.value)


def test_load_mnist_rejects_bad_arguments(tmp_path: Path) -> None:
    _write_set(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        datasets.load_mnist(tmp_path, kind="validation")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        datasets.load_mnist(tmp_path, limit=0)


GOOD_IMAGES = _idx_images(IMAGES)
GOOD_LABELS = _idx_labels(LABELS)

MALFORMED = {
    "swapped files": (GOOD_LABELS, GOOD_IMAGES, "images", "dimensions"),
    "not unsigned bytes": (b"\x00\x00\x09\x03" + GOOD_IMAGES[4:], GOOD_LABELS, "images",
                           "magic number"),
    "nonzero first bytes": (b"\x01" + GOOD_IMAGES[1:], GOOD_LABELS, "images", "magic number"),
    "empty file": (b"", GOOD_LABELS, "images", "too short"),
    "truncated header": (GOOD_IMAGES[:10], GOOD_LABELS, "images", "truncated header"),
    "truncated pixels": (GOOD_IMAGES[:-1], GOOD_LABELS, "images", "truncated"),
    "trailing bytes": (GOOD_IMAGES + b"\x00", GOOD_LABELS, "images", "unexpected bytes"),
    "empty images": (_idx_images([], rows=0, columns=3), _idx_labels([]), "images", "empty"),
    "truncated labels": (GOOD_IMAGES, GOOD_LABELS[:-1], "labels", "truncated"),
    "label above 9": (GOOD_IMAGES, _idx_labels([7, 12, 9]), "labels", "label 12 at index 1"),
    "count mismatch": (GOOD_IMAGES, _idx_labels([7, 0]), "labels", "3 images.*2 labels"),
}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_load_mnist_rejects_malformed_files(
    tmp_path: Path, case: tuple[bytes, bytes, str, str], compress: bool
) -> None:
    images, labels, culprit, reason = case
    _write_set(tmp_path, compress=compress, images=images, labels=labels)
    with pytest.raises(ValueError, match=reason) as raised:
        datasets.load_mnist(tmp_path)
    assert f"train-{culprit}-idx" in str(raised.value)


@pytest.mark.parametrize(
    "content", [b"not gzip at all", gzip.compress(GOOD_IMAGES)[:-6]], ids=["garbage", "cut"]
)
def test_load_mnist_rejects_corrupt_gzip(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(content)
    _write(tmp_path, "train-labels-idx1-ubyte", GOOD_LABELS, compress=True)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*gzip"):
        datasets.load_mnist(tmp_path)


def _gzip_bomb(path: Path, head: bytes, zeros: int) -> None:
    """A .gz of `head` followed by `zeros` zero bytes, written in pieces (it stays small)."""
    chunk = bytes(1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(head)
        for _ in range(zeros // len(chunk)):
            stream.write(chunk)


def test_load_mnist_reads_no_more_than_the_header_promises(tmp_path: Path) -> None:
    # One 28x28 image promised (784 bytes), then 256 MiB of zeros: the reader must stop after
    # 785 bytes instead of unpacking everything (it used to take 13.7 s and 6.3 GB for 3 GiB).
    head = struct.pack(">IIII", 0x00000803, 1, 28, 28) + bytes(784)
    _gzip_bomb(tmp_path / "train-images-idx3-ubyte.gz", head, zeros=256 << 20)
    _write(tmp_path, "train-labels-idx1-ubyte", _idx_labels([3]), compress=True)
    assert (tmp_path / "train-images-idx3-ubyte.gz").stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="unexpected bytes after the 784 data bytes"):
            datasets.load_mnist(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"peak memory {peak:,} bytes"


def test_load_mnist_checks_the_header_before_reading_the_body(tmp_path: Path) -> None:
    # A header that promises 2**32 − 1 images of 255x255 pixels is refused at once.
    head = struct.pack(">IIII", 0x00000803, 2**32 - 1, 255, 255)
    _write(tmp_path, "train-images-idx3-ubyte", head, compress=True)
    _write(tmp_path, "train-labels-idx1-ubyte", _idx_labels([3]), compress=True)
    with pytest.raises(ValueError, match=r"promises 279,280,248,357,375 data bytes.*limit"):
        datasets.load_mnist(tmp_path)


# ---------------------------------------------------------------------------------------------
# train_test_split
# ---------------------------------------------------------------------------------------------

def _numbered(n: int) -> tuple[list[list[float]], list[int]]:
    """Rows that carry their own index, so pairing and disjointness can be checked."""
    return [[float(index), 0.0] for index in range(n)], list(range(n))


def test_split_sizes_disjointness_and_pairing() -> None:
    X, y = _numbered(10)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, seed=0)
    assert len(X_test) == len(y_test) == 3  # ceil(0.25 · 10)
    assert len(X_train) == len(y_train) == 7
    assert sorted(y_train + y_test) == list(range(10))
    assert not set(y_train) & set(y_test)
    assert all(row[0] == label for row, label in zip(X_train + X_test, y_train + y_test))
    assert datasets.train_test_split(X, y, seed=0) == (X_train, X_test, y_train, y_test)
    assert y_train != sorted(y_train) or y_test != sorted(y_test)  # shuffled
    assert len(datasets.train_test_split(X, y, test_fraction=0.5, seed=1)[1]) == 5


def test_split_stratified_keeps_class_proportions() -> None:
    labels = [0] * 40 + [1] * 20 + [2] * 4
    X = [[float(index)] for index in range(len(labels))]
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, labels, test_fraction=0.25, seed=3, stratify=True
    )
    assert Counter(y_test) == {0: 10, 1: 5, 2: 1}
    assert Counter(y_train) == {0: 30, 1: 15, 2: 3}
    assert all(labels[int(row[0])] == label for row, label in zip(X_train + X_test,
                                                                    y_train + y_test))
    assert not {row[0] for row in X_train} & {row[0] for row in X_test}
    one_hot_labels = datasets.one_hot(labels)
    split = datasets.train_test_split(X, one_hot_labels, seed=3, stratify=True)
    assert Counter(row.index(1.0) for row in split[3]) == {0: 10, 1: 5, 2: 1}


def test_split_rejects_bad_arguments() -> None:
    X, y = _numbered(6)
    with pytest.raises(ValueError, match="6 rows but y has 5"):
        datasets.train_test_split(X, y[:5])
    for fraction in (0.0, 1.0, -0.2, 1.5):
        with pytest.raises(ValueError, match="test_fraction"):
            datasets.train_test_split(X, y, test_fraction=fraction)
    with pytest.raises(ValueError, match="none for training"):
        datasets.train_test_split(X, y, test_fraction=0.9)
    with pytest.raises(ValueError, match="at least 2 examples"):
        datasets.train_test_split(X[:1], y[:1])
    with pytest.raises(ValueError, match="class 5 has only 1 example"):
        datasets.train_test_split(X, [0, 0, 0, 1, 1, 5], stratify=True)


# ---------------------------------------------------------------------------------------------
# one_hot
# ---------------------------------------------------------------------------------------------

def test_one_hot() -> None:
    assert datasets.one_hot([2, 0], classes=3) == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    assert datasets.one_hot([1, 3]) == [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    assert datasets.one_hot([], classes=2) == []
    with pytest.raises(ValueError, match=r"label 3 at index 1 is outside 0..2"):
        datasets.one_hot([0, 3], classes=3)
    with pytest.raises(ValueError, match=r"labels\[1\] \(a class index\) must be at least 0"):
        datasets.one_hot([0, -1])
    for bad in (1.5, True, "2"):
        with pytest.raises(TypeError, match=r"labels\[1\] \(a class index\) must be an int"):
            datasets.one_hot([0, bad])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="classes="):
        datasets.one_hot([])
    with pytest.raises(ValueError, match="classes must be at least 1"):
        datasets.one_hot([], classes=0)


# ---------------------------------------------------------------------------------------------
# standardize
# ---------------------------------------------------------------------------------------------

def _columns(X: list[list[float]]) -> list[list[float]]:
    return [list(column) for column in zip(*X)]


def test_standardize_gives_mean_zero_and_std_one() -> None:
    X = [[1.0, 10.0, 4.0], [2.0, 30.0, 4.0], [6.0, 20.0, 4.0], [3.0, -8.0, 4.0]]
    scaled, mean, std = datasets.standardize(X)
    expected_mean = [statistics.fmean(column) for column in _columns(X)]
    expected_std = [statistics.pstdev(column) for column in _columns(X)]
    assert mean == pytest.approx(expected_mean)
    assert std == pytest.approx(expected_std)
    assert std[2] == 0.0
    for column in _columns(scaled)[:2]:
        assert statistics.fmean(column) == pytest.approx(0.0, abs=1e-12)
        assert statistics.pstdev(column) == pytest.approx(1.0)
    assert _columns(scaled)[2] == [0.0, 0.0, 0.0, 0.0]  # constant column: centred only
    assert X[0] == [1.0, 10.0, 4.0]  # the input is not modified


def test_standardize_constant_column_stays_zero_despite_rounding() -> None:
    # (0.1 + 0.1 + 0.1) / 3 rounds to 0.10000000000000002, not 0.1: a naive mean would give this
    # column a tiny std and blow its rounding error up to ±1
    scaled, mean, std = datasets.standardize([[0.1], [0.1], [0.1]])
    assert (mean, std) == ([0.1], [0.0])
    assert scaled == [[0.0], [0.0], [0.0]]
    # deviations of 1e-200 square to 0 in floats; the std must still come out as 1e-200
    scaled, _, std = datasets.standardize([[-1e-200], [1e-200]])
    assert std == [pytest.approx(1e-200)]
    assert scaled == [[pytest.approx(-1.0)], [pytest.approx(1.0)]]


def test_standardize_reuses_training_statistics() -> None:
    train_rows = [[0.0, 1.0], [4.0, 1.0]]  # mean [2, 1], std [2, 0]
    _, mean, std = datasets.standardize(train_rows)
    assert mean == [2.0, 1.0] and std == [2.0, 0.0]
    test_rows = [[6.0, 3.0], [1.0, 1.0]]
    scaled, mean_again, std_again = datasets.standardize(test_rows, mean, std)
    assert scaled == [[2.0, 2.0], [-0.5, 0.0]]
    assert (mean_again, std_again) == (mean, std)


def test_standardize_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 values but row 0 has 2"):
        datasets.standardize([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match="non-empty"):
        datasets.standardize([])
    with pytest.raises(TypeError, match=r"X\[1\]\[0\] must be a number"):
        datasets.standardize([[1.0], ["2"]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="finite"):
        datasets.standardize([[1.0], [math.nan]])
    with pytest.raises(ValueError, match="both mean and std"):
        datasets.standardize([[1.0]], mean=[0.0])
    with pytest.raises(ValueError, match="mean has 1 values but X has 2 columns"):
        datasets.standardize([[1.0, 2.0]], mean=[0.0], std=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"std\[0\] is -1.0"):
        datasets.standardize([[1.0]], mean=[0.0], std=[-1.0])


@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(
            # three decimals: spreads far above one rounding of the values (for a column like
            # [1e6, 1e6 + 1 ulp] the mean itself is not representable, so no float code can
            # centre it exactly)
            st.lists(st.floats(-1e6, 1e6).map(lambda value: round(value, 3)),
                     min_size=width, max_size=width),
            min_size=2, max_size=20,
        )
    )
)
def test_standardized_columns_have_mean_zero_and_unit_or_zero_std(X: list[list[float]]) -> None:
    scaled, _, std = datasets.standardize(X)
    for column, spread in zip(_columns(scaled), std):
        assert statistics.fmean(column) == pytest.approx(0.0, abs=1e-6)
        if spread > 0.0:
            assert statistics.pstdev(column) == pytest.approx(1.0, rel=1e-6)
        else:
            assert column == [0.0] * len(column)
