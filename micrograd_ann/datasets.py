"""Datasets: small training sets as plain Python lists, and the helpers that prepare them.

Every loader returns a pair `(X, y)`:

    X  a list of rows, each row a list of floats (one float per input feature)
    y  a list with one label or target per row

Classification labels are ints (0/1 for two classes, or a class index 0..k−1); regression
targets are floats. The generated sets are seeded: `seed` is an int or a `random.Random`, the same
seed gives the same data bit for bit, and `seed=None` draws the seed from Python's global
`random` (as the networks do, so `random.seed(...)` makes both reproducible). Nothing here uses
the network: `digits()` reads the file that scikit-learn ships inside its package and
`load_mnist()` reads IDX files from a folder on disk.

The helpers `train_test_split`, `one_hot` and `standardize` work on any such `(X, y)`.
"""

from __future__ import annotations

import gzip
import importlib
import itertools
import math
import os
import random
import struct
import zlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, TypeAlias, TypeVar

from micrograd_ann import checks
from micrograd_ann.checks import Seed, shorten

__all__ = [
    "logic_gate",
    "sum_of_two",
    "test_scores",
    "TEST_SCORES_HOURS",
    "TEST_SCORES_PERCENT",
    "noisy_line",
    "two_moons",
    "circles",
    "spirals",
    "blobs",
    "digits",
    "load_mnist",
    "train_test_split",
    "one_hot",
    "standardize",
    "MAX_SAMPLES",
    "MAX_VALUES",
    "MAX_IDX_DATA_BYTES",
    "Settings",
    "DatasetChoice",
    "DATASETS",
]

Rows: TypeAlias = "list[list[float]]"
ClassificationSet: TypeAlias = "tuple[list[list[float]], list[int]]"
RegressionSet: TypeAlias = "tuple[list[list[float]], list[float]]"
LabelStyle: TypeAlias = "Literal['zero_one', 'plus_minus']"

RowType = TypeVar("RowType")
LabelType = TypeVar("LabelType")


# ---------------------------------------------------------------------------------------------
# Argument checks shared by the loaders
# ---------------------------------------------------------------------------------------------

MAX_SAMPLES = 1_000_000
"""The most rows a generated set (or a truth table) may have: a million rows of Python floats
already take hundreds of megabytes, and training on them in a pure-Python engine takes hours."""

MAX_VALUES = 10_000_000
"""The most numbers a generated table may hold in all (rows × columns, for `blobs` and
`one_hot`)."""

_MAX_GATE_INPUTS = MAX_SAMPLES.bit_length() - 1  # 2**19 = 524,288 rows


def _sample_count(value: object, name: str = "n", minimum: int = 1) -> int:
    return checks.count(
        value, name, minimum, MAX_SAMPLES,
        why="datasets.MAX_SAMPLES: larger sets do not fit a pure-Python engine",
    )


def _check_table_size(rows: int, columns: int, what: str) -> None:
    if rows * columns > MAX_VALUES:
        raise ValueError(
            f"{what} would hold {rows:,} × {columns:,} = {rows * columns:,} numbers, above the "
            f"limit of {MAX_VALUES:,} (datasets.MAX_VALUES); ask for fewer rows or columns"
        )


def _noise_level(noise: float) -> float:
    noise = checks.finite_number(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}")
    return noise


def _binary_labels(labels: list[int], style: LabelStyle) -> list[int]:
    """Keep 0/1 labels ("zero_one") or map 0 → −1, 1 → +1 ("plus_minus", for the hinge loss)."""
    if style == "zero_one":
        return labels
    if style == "plus_minus":
        return [2 * label - 1 for label in labels]
    raise ValueError(f"labels must be 'zero_one' or 'plus_minus', got {shorten(style)}")


def _linspace(start: float, stop: float, count: int, include_stop: bool = True) -> list[float]:
    """`count` evenly spaced numbers from `start` to `stop` (or up to just before it)."""
    if count == 1:
        return [float(start)]
    intervals = count - 1 if include_stop else count
    step = (stop - start) / intervals
    return [start + index * step for index in range(count)]


def _shuffled(points: Rows, labels: list[int], generator: random.Random) -> ClassificationSet:
    """Shuffle rows and labels together, so no class arrives in one block."""
    order = list(range(len(points)))
    generator.shuffle(order)
    return [points[index] for index in order], [labels[index] for index in order]


def _split_evenly(total: int, parts: int) -> list[int]:
    """Sizes of `parts` groups that add up to `total`; the first `total % parts` get one more."""
    return [total // parts + (1 if part < total % parts else 0) for part in range(parts)]


# ---------------------------------------------------------------------------------------------
# The tutorials' worked examples
# ---------------------------------------------------------------------------------------------

_GATES: dict[str, Callable[[list[bool]], bool]] = {
    "and": all,
    "or": any,
    "nand": lambda bits: not all(bits),
    "nor": lambda bits: not any(bits),
    "xor": lambda bits: sum(bits) % 2 == 1,
}


def logic_gate(name: str, inputs: int = 2) -> ClassificationSet:
    """The truth table of a logic gate: every 0/1 input combination and the gate's output.

    `name` is one of "and", "or", "nand", "nor", "xor" (any letter case). With `inputs=n` the gate
    takes n inputs: and/or/nand/nor apply to all of them, and xor is the parity (1 when an odd
    number of inputs are 1).

    Returns X with 2**n rows of n floats (0.0 or 1.0), in counting order — for two inputs
    [0,0], [0,1], [1,0], [1,1] — and y with the int outputs 0 or 1. Example: logic_gate("and")
    gives y = [0, 0, 0, 1].
    """
    gate = _GATES.get(name.lower()) if isinstance(name, str) else None
    if gate is None:
        raise ValueError(f"unknown logic gate {name!r}; choose one of {', '.join(_GATES)}")
    checks.count(
        inputs, "inputs", maximum=_MAX_GATE_INPUTS,
        why=f"a gate of n inputs has 2**n rows, and datasets.MAX_SAMPLES is {MAX_SAMPLES:,}",
    )
    rows = [[float(bit) for bit in bits] for bits in itertools.product((0, 1), repeat=inputs)]
    outputs = [int(gate([bit == 1.0 for bit in row])) for row in rows]
    return rows, outputs


def sum_of_two(
    n: int = 1000, low: float = 0.0, high: float = 0.5, seed: Seed = None
) -> RegressionSet:
    """Seed 000's set: pairs of numbers drawn uniformly from [low, high], the target their sum.

    Returns X with n rows [a, b] and y with n floats a + b. With the defaults every target lies
    in [0, 1], the range a sigmoid output unit can reach.
    """
    _sample_count(n)
    low, high = checks.finite_number(low, "low"), checks.finite_number(high, "high")
    if not low < high:
        raise ValueError(f"low must be less than high, got low={low}, high={high}")
    generator = checks.random_generator(seed)
    rows = [[generator.uniform(low, high), generator.uniform(low, high)] for _ in range(n)]
    return rows, [a + b for a, b in rows]


TEST_SCORES_HOURS = ((3.0, 5.0), (5.0, 1.0), (10.0, 2.0))
"""Seed 003's raw inputs: (hours of sleep, hours of study) for three students."""

TEST_SCORES_PERCENT = (75.0, 82.0, 93.0)
"""Seed 003's raw targets: the three students' test scores out of 100."""


def test_scores() -> RegressionSet:
    """Seed 003's set: predict a test score from hours of sleep and hours of study.

    The raw numbers are `TEST_SCORES_HOURS` (sleep, study) = (3, 5), (5, 1), (10, 2) and
    `TEST_SCORES_PERCENT` = 75, 82, 93. Both are scaled into [0, 1] for a sigmoid network: each
    input column is divided by its largest value (10 hours of sleep, 5 hours of study), and each
    score by 100. Returns X = [[0.3, 1.0], [0.5, 0.2], [1.0, 0.4]] and y = [0.75, 0.82, 0.93].
    """
    column_maxima = [max(column) for column in zip(*TEST_SCORES_HOURS)]
    rows = [
        [hours / maximum for hours, maximum in zip(student, column_maxima)]
        for student in TEST_SCORES_HOURS
    ]
    return rows, [score / 100.0 for score in TEST_SCORES_PERCENT]


# ---------------------------------------------------------------------------------------------
# Generated sets
# ---------------------------------------------------------------------------------------------

def noisy_line(
    n: int = 50,
    slope: float = 2.0,
    intercept: float = 0.0,
    noise: float = 0.1,
    seed: Seed = None,
    low: float = -1.0,
    high: float = 1.0,
) -> RegressionSet:
    """Points near the line y = slope·x + intercept, for fitting a line by gradient descent.

    The x values are n evenly spaced numbers from `low` to `high`; each target is
    slope·x + intercept plus Gaussian noise with standard deviation `noise` (noise=0 gives the
    exact line). Returns X with n rows [x] and y with n floats, in increasing order of x.
    """
    _sample_count(n)
    slope = checks.finite_number(slope, "slope")
    intercept = checks.finite_number(intercept, "intercept")
    noise = _noise_level(noise)
    low, high = checks.finite_number(low, "low"), checks.finite_number(high, "high")
    if not low < high:
        raise ValueError(f"low must be less than high, got low={low}, high={high}")
    generator = checks.random_generator(seed)
    xs = _linspace(low, high, n)
    targets = [slope * x + intercept + generator.gauss(0.0, noise) for x in xs]
    return [[x] for x in xs], targets


def two_moons(
    n: int = 100, noise: float = 0.1, seed: Seed = None, labels: LabelStyle = "zero_one"
) -> ClassificationSet:
    """Two interleaving half circles, the set of micrograd's demo (scikit-learn's make_moons).

    The upper moon, class 0, holds n // 2 points (cos t, sin t); the lower moon, class 1, holds
    the rest at (1 − cos t, 0.5 − sin t); in each moon t is evenly spaced over [0, π]. Gaussian
    noise with standard deviation `noise` is added to each coordinate, then the points are
    shuffled. Returns X with n rows [x1, x2] and y with n int labels: 0/1 with
    labels="zero_one", or −1/+1 with labels="plus_minus" (upper moon −1; for the hinge loss, as
    micrograd's demo does with y*2 − 1).
    """
    _sample_count(n, minimum=2)
    noise = _noise_level(noise)
    generator = checks.random_generator(seed)
    upper_count = n // 2
    points: Rows = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, upper_count)]
    points += [
        [1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n - upper_count)
    ]
    classes = [0] * upper_count + [1] * (n - upper_count)
    noisy = [[x + generator.gauss(0.0, noise) for x in point] for point in points]
    rows, classes = _shuffled(noisy, classes, generator)
    return rows, _binary_labels(classes, labels)


def circles(
    n: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: Seed = None,
    labels: LabelStyle = "zero_one",
) -> ClassificationSet:
    """Two concentric circles: class 0 on the unit circle, class 1 on a circle of radius `factor`.

    The outer circle holds n // 2 points and the inner one the rest, at evenly spaced angles in
    [0, 2π); Gaussian noise with standard deviation `noise` is added to each coordinate, then the
    points are shuffled. 0 < factor < 1. Returns X with n rows [x1, x2] and y with n int labels,
    0/1 (labels="zero_one") or −1/+1 (labels="plus_minus", outer circle −1).
    """
    _sample_count(n, minimum=2)
    noise = _noise_level(noise)
    factor = checks.finite_number(factor, "factor")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor is the inner radius and must be in (0, 1), got {factor}")
    generator = checks.random_generator(seed)
    outer_count = n // 2
    points: Rows = []
    for radius, count in ((1.0, outer_count), (factor, n - outer_count)):
        for angle in _linspace(0.0, 2.0 * math.pi, count, include_stop=False):
            points.append([radius * math.cos(angle), radius * math.sin(angle)])
    classes = [0] * outer_count + [1] * (n - outer_count)
    noisy = [[x + generator.gauss(0.0, noise) for x in point] for point in points]
    rows, classes = _shuffled(noisy, classes, generator)
    return rows, _binary_labels(classes, labels)


def spirals(
    n: int = 150, classes: int = 3, noise: float = 0.05, seed: Seed = None
) -> ClassificationSet:
    """Interleaved spiral arms, one per class, winding once around the origin.

    The n points are split as evenly as possible between the classes. Along arm k the radius r
    grows evenly from 1/m to 1 (m points on the arm) and the angle is 2π·k/classes + 2π·r, so
    each point is (r·cos θ, r·sin θ); Gaussian noise with standard deviation `noise` is added to
    each coordinate, then the points are shuffled. Returns X with n rows [x1, x2] and y with n
    class indices 0..classes−1.
    """
    checks.count(classes, "classes", minimum=2)
    _sample_count(n, minimum=classes)
    noise = _noise_level(noise)
    generator = checks.random_generator(seed)
    points: Rows = []
    class_indices: list[int] = []
    for arm, count in enumerate(_split_evenly(n, classes)):
        for step in range(1, count + 1):
            radius = step / count
            angle = 2.0 * math.pi * (arm / classes + radius)
            points.append([
                radius * math.cos(angle) + generator.gauss(0.0, noise),
                radius * math.sin(angle) + generator.gauss(0.0, noise),
            ])
            class_indices.append(arm)
    return _shuffled(points, class_indices, generator)


def blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 1.0,
    seed: Seed = None,
    dimensions: int = 2,
    center_box: tuple[float, float] = (-10.0, 10.0),
) -> ClassificationSet:
    """Gaussian clusters of points, one cluster per class.

    `centers` is either the number of clusters k — their centres are then drawn uniformly from
    `center_box` in each of `dimensions` coordinates — or a list of k centre coordinates (which
    sets the dimension). The n points are split as evenly as possible between the clusters; each
    point is its centre plus Gaussian noise with standard deviation `std` per coordinate, then the
    points are shuffled. Returns X with n rows of `dimensions` floats and y with n class indices
    0..k−1 (the index of the centre a point came from).
    """
    std = checks.finite_number(std, "std")
    if std < 0:
        raise ValueError(f"std must be >= 0, got {std}")
    generator = checks.random_generator(seed)
    if isinstance(centers, bool):
        raise TypeError(f"centers must be a count or a list of centres, got {centers!r}")
    if isinstance(centers, int):
        _sample_count(centers, "centers")
        checks.count(dimensions, "dimensions")
        _check_table_size(centers, dimensions, "blobs' centres")
        low, high = (checks.finite_number(bound, "center_box bound") for bound in center_box)
        if not low < high:
            raise ValueError(f"center_box must be (low, high) with low < high, got {center_box}")
        centre_points = [
            [generator.uniform(low, high) for _ in range(dimensions)] for _ in range(centers)
        ]
    else:
        centre_points = _numeric_table(centers, "centers")
    _sample_count(n, minimum=len(centre_points))
    _check_table_size(n, len(centre_points[0]), "blobs")
    points: Rows = []
    class_indices: list[int] = []
    for index, count in enumerate(_split_evenly(n, len(centre_points))):
        for _ in range(count):
            points.append([c + generator.gauss(0.0, std) for c in centre_points[index]])
            class_indices.append(index)
    return _shuffled(points, class_indices, generator)


# ---------------------------------------------------------------------------------------------
# Handwritten digits
# ---------------------------------------------------------------------------------------------

def digits() -> ClassificationSet:
    """The 1797 handwritten digits of 8x8 pixels that scikit-learn ships (no download).

    Needs the optional extra: pip install "micrograd_ann[digits]" (scikit-learn). Returns X with
    1797 rows of 64 floats — the image read row by row, each pixel's ink level 0..16 divided by
    16 so that it lies in [0, 1] — and y with the 1797 digits as ints 0..9 (the class indices).
    """
    try:
        sklearn_datasets = importlib.import_module("sklearn.datasets")
    except ImportError as error:
        raise ImportError(
            "digits() reads the 8x8 digits that scikit-learn ships, and scikit-learn is not "
            'installed; install the optional extra: pip install "micrograd_ann[digits]"'
        ) from error
    bunch = sklearn_datasets.load_digits()
    rows = [[float(pixel) / 16.0 for pixel in image] for image in bunch.data.tolist()]
    return rows, [int(digit) for digit in bunch.target.tolist()]


_MNIST_PREFIX = {"train": "train", "test": "t10k"}

MAX_IDX_DATA_BYTES = 128 * 1024 * 1024
"""The most data bytes `load_mnist` reads from one IDX file (128 MiB; MNIST's training images
are 47,040,000 bytes)."""
_IDX_UNSIGNED_BYTE = 0x08
_PIXEL_SCALE = [value / 255.0 for value in range(256)]


def _mnist_file(folder: str, stem: str) -> str:
    for name in (stem, stem + ".gz"):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(
        f"MNIST file {stem}.gz (or the unpacked {stem}) is missing from {folder}; download it "
        "from the MNIST database (http://yann.lecun.com/exdb/mnist/ or one of its mirrors) and "
        "put it in that folder"
    )


def _read_idx(file_path: str, dimensions: int) -> tuple[list[int], bytes]:
    """Read one IDX file (raw or gzip) of unsigned bytes: its sizes and its data bytes.

    Layout: 2 zero bytes, a type byte (0x08 = unsigned byte), a byte with the number of
    dimensions d, d big-endian uint32 sizes, then the product of the sizes in data bytes.
    Images files have d = 3 (count, rows, columns); labels files have d = 1 (count).

    The header is checked first; then at most the data bytes it promises, plus one to detect
    trailing data, are read (and, for gzip, decompressed), and never more than
    `MAX_IDX_DATA_BYTES`: a small file that unpacks to gigabytes costs no more than its header
    says.
    """
    opener: Callable[[str, str], BinaryIO] = (
        gzip.open if file_path.endswith(".gz") else open  # type: ignore[assignment]
    )
    try:
        with opener(file_path, "rb") as stream:
            sizes, data_size = _read_idx_header(stream, file_path, dimensions)
            data = stream.read(data_size + 1)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{file_path}: not readable as gzip data ({error})") from error
    if len(data) < data_size:
        raise ValueError(
            f"{file_path}: truncated: the header promises {data_size} data bytes "
            f"(sizes {sizes}) but only {len(data)} follow"
        )
    if len(data) > data_size:
        raise ValueError(
            f"{file_path}: unexpected bytes after the {data_size} data bytes the header "
            f"promises (sizes {sizes})"
        )
    return sizes, data


def _read_idx_header(stream: BinaryIO, file_path: str, dimensions: int) -> tuple[list[int], int]:
    """Check an IDX header; return its sizes and the number of data bytes they promise."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise ValueError(f"{file_path}: {len(magic)} bytes is too short for an IDX header")
    if magic[0] != 0 or magic[1] != 0 or magic[2] != _IDX_UNSIGNED_BYTE:
        raise ValueError(
            f"{file_path}: magic number {magic.hex()} is not that of an IDX file of "
            f"unsigned bytes (00 00 08 then the number of dimensions)"
        )
    if magic[3] != dimensions:
        raise ValueError(
            f"{file_path}: has {magic[3]} dimensions where {dimensions} are expected "
            f"(magic number {magic.hex()}); are the images and labels files swapped?"
        )
    size_bytes = stream.read(4 * dimensions)
    if len(size_bytes) < 4 * dimensions:
        raise ValueError(
            f"{file_path}: truncated header: {4 + len(size_bytes)} bytes, "
            f"{4 + 4 * dimensions} needed"
        )
    sizes = list(struct.unpack(f">{dimensions}I", size_bytes))
    if any(size == 0 for size in sizes[1:]):
        raise ValueError(f"{file_path}: images of {sizes[1]}x{sizes[2]} pixels are empty")
    data_size = math.prod(sizes)
    if data_size > MAX_IDX_DATA_BYTES:
        raise ValueError(
            f"{file_path}: the header promises {data_size:,} data bytes (sizes {sizes}), above "
            f"the limit of {MAX_IDX_DATA_BYTES:,} (datasets.MAX_IDX_DATA_BYTES; MNIST's "
            "largest file holds 47,040,000); is it the right file?"
        )
    return sizes, data_size


def load_mnist(
    path: str | os.PathLike[str],
    kind: Literal["train", "test"] = "train",
    limit: int | None = None,
) -> ClassificationSet:
    """Read MNIST from the IDX files in a local folder (nothing is downloaded).

    The folder holds the standard files, raw or gzipped: train-images-idx3-ubyte[.gz] and
    train-labels-idx1-ubyte[.gz] (kind="train", 60000 images), t10k-images-idx3-ubyte[.gz] and
    t10k-labels-idx1-ubyte[.gz] (kind="test", 10000 images). `limit` keeps only the first
    `limit` examples. Returns X with one row per image — its rows×columns pixels read row by
    row, each 0..255 divided by 255 so that it lies in [0, 1] (784 floats for 28x28) — and y with
    the digits as ints 0..9.

    A missing folder or file raises FileNotFoundError saying what to download; a malformed file
    (wrong magic number, wrong dimensions, truncated or overlong data, label outside 0..9,
    image and label counts that differ) raises ValueError naming the file and the fault.
    """
    if kind not in _MNIST_PREFIX:
        raise ValueError(f"kind must be 'train' or 'test', got {shorten(kind)}")
    if limit is not None:
        checks.count(limit, "limit")
    folder = os.fspath(path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"MNIST folder {folder} does not exist; create it and put the four MNIST files in "
            "it (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
            "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, from the MNIST database "
            "http://yann.lecun.com/exdb/mnist/ or one of its mirrors)"
        )
    prefix = _MNIST_PREFIX[kind]
    images_path = _mnist_file(folder, f"{prefix}-images-idx3-ubyte")
    labels_path = _mnist_file(folder, f"{prefix}-labels-idx1-ubyte")
    image_sizes, pixels = _read_idx(images_path, dimensions=3)
    label_sizes, digit_bytes = _read_idx(labels_path, dimensions=1)
    if image_sizes[0] != label_sizes[0]:
        raise ValueError(
            f"{images_path} holds {image_sizes[0]} images but {labels_path} holds "
            f"{label_sizes[0]} labels; the two files must come from the same set"
        )
    if digit_bytes and max(digit_bytes) > 9:
        index = next(index for index, digit in enumerate(digit_bytes) if digit > 9)
        raise ValueError(
            f"{labels_path}: label {digit_bytes[index]} at index {index} is not a digit 0..9"
        )
    count = image_sizes[0] if limit is None else min(limit, image_sizes[0])
    pixels_per_image = image_sizes[1] * image_sizes[2]
    rows = [
        [_PIXEL_SCALE[value] for value in pixels[start : start + pixels_per_image]]
        for start in range(0, count * pixels_per_image, pixels_per_image)
    ]
    return rows, list(digit_bytes[:count])


# ---------------------------------------------------------------------------------------------
# Preparing data: split, one-hot, standardize
# ---------------------------------------------------------------------------------------------

def _stratum(label: object) -> Hashable:
    """The key that groups a label with its equals (one-hot rows become tuples)."""
    if isinstance(label, list):
        return tuple(label)
    if isinstance(label, Hashable):
        return label
    raise ValueError(f"label {shorten(label)} cannot be grouped by class for stratify=True")


def train_test_split(
    X: Sequence[RowType],
    y: Sequence[LabelType],
    test_fraction: float = 0.25,
    seed: Seed = None,
    stratify: bool = False,
) -> tuple[list[RowType], list[RowType], list[LabelType], list[LabelType]]:
    """Shuffle the examples and hold out a fraction of them for testing.

    Returns (X_train, X_test, y_train, y_test), in scikit-learn's order; the rows themselves are
    shared, not copied. Without stratification the test part has ceil(test_fraction·n) examples.
    With stratify=True each class c of n_c examples puts test_fraction·n_c (rounded half up) of
    them in the test part (at least 1, and at least 1 left for training), so both parts keep
    the class proportions; every class then needs at least 2 examples.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels; they must match")
    if len(X) < 2:
        raise ValueError(f"need at least 2 examples to split, got {len(X)}")
    test_fraction = checks.finite_number(test_fraction, "test_fraction")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction}")
    generator = checks.random_generator(seed)
    if stratify:
        groups: dict[Hashable, list[int]] = {}
        for index, label in enumerate(y):
            groups.setdefault(_stratum(label), []).append(index)
        test_indices: list[int] = []
        train_indices: list[int] = []
        for key, members in groups.items():
            if len(members) < 2:
                raise ValueError(
                    f"class {shorten(key)} has only {len(members)} example; stratifying needs at "
                    "least 2 per class (one for each part), or use stratify=False"
                )
            test_count = min(max(math.floor(test_fraction * len(members) + 0.5), 1),
                             len(members) - 1)
            generator.shuffle(members)
            test_indices += members[:test_count]
            train_indices += members[test_count:]
        generator.shuffle(test_indices)
        generator.shuffle(train_indices)
    else:
        test_count = math.ceil(test_fraction * len(X))
        if test_count >= len(X):
            raise ValueError(
                f"test_fraction {test_fraction} of {len(X)} examples leaves none for training"
            )
        order = list(range(len(X)))
        generator.shuffle(order)
        test_indices, train_indices = order[:test_count], order[test_count:]
    return (
        [X[index] for index in train_indices],
        [X[index] for index in test_indices],
        [y[index] for index in train_indices],
        [y[index] for index in test_indices],
    )


def one_hot(labels: Sequence[int], classes: int | None = None) -> Rows:
    """Turn class indices into one-hot rows: label k becomes [0.0, …, 1.0 at position k, …, 0.0].

    `classes` is the row length; by default the largest label + 1. Labels must be ints in
    0..classes−1. Example: one_hot([2, 0], classes=3) == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]].
    """
    for index, label in enumerate(labels):
        checks.count(label, f"labels[{index}] (a class index)", minimum=0)
    if classes is None:
        if not labels:
            raise ValueError("cannot infer the number of classes from no labels; pass classes=")
        classes = max(labels) + 1
    checks.count(classes, "classes")
    _check_table_size(len(labels), classes, "one_hot")
    rows: Rows = []
    for index, label in enumerate(labels):
        if label >= classes:
            raise ValueError(
                f"label {shorten(label)} at index {index} is outside 0..{classes - 1} "
                f"for classes={classes}"
            )
        row = [0.0] * classes
        row[label] = 1.0
        rows.append(row)
    return rows


def _numeric_table(X: Sequence[Sequence[float]], name: str) -> Rows:
    """Check that X is a non-empty rectangle of finite numbers and return it as floats."""
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence) or len(X) == 0:
        raise ValueError(f"{name} must be a non-empty list of rows, got {shorten(X)}")
    width = None
    table: Rows = []
    for row_index, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) == 0:
            raise ValueError(f"{name} row {row_index} must be a non-empty list, got {shorten(row)}")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise ValueError(
                f"{name} row {row_index} has {len(row)} values but row 0 has {width}; "
                "every row needs the same length"
            )
        table.append([checks.finite_number(value, f"{name}[{row_index}][{column}]")
                      for column, value in enumerate(row)])
    return table


def _numeric_vector(values: Sequence[float], width: int, name: str) -> list[float]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a list of {width} numbers, got {shorten(values)}")
    if len(values) != width:
        raise ValueError(f"{name} has {len(values)} values but X has {width} columns")
    return [checks.finite_number(value, f"{name}[{column}]") for column, value in enumerate(values)]


def _mean_and_std(column: Sequence[float]) -> tuple[float, float]:
    """A column's mean and population standard deviation, exact for constant columns.

    A constant column gets its value as mean and std 0 (Σx / n can be off by one rounding, which
    would turn a constant into ±1 after dividing). The deviations are divided by the largest of
    them before squaring, so tiny ones do not underflow to 0 and huge ones do not overflow.
    """
    if all(x == column[0] for x in column):
        return float(column[0]), 0.0
    centre = math.fsum(column) / len(column)
    deviations = [x - centre for x in column]
    largest = max(abs(deviation) for deviation in deviations)
    mean_square = math.fsum((deviation / largest) ** 2 for deviation in deviations) / len(column)
    return centre, largest * math.sqrt(mean_square)


def standardize(
    X: Sequence[Sequence[float]],
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
) -> tuple[Rows, list[float], list[float]]:
    """Rescale each column to mean 0 and standard deviation 1:  x' = (x − mean) / std.

    Without `mean` and `std` they are measured on X, per column: mean = Σx / n and
    std = √(Σ(x − mean)² / n) (the population standard deviation). To treat test data exactly as
    the training data, pass back the mean and std that standardizing the training data returned.
    A column whose std is 0 (the same value in every row) is only centred, never divided by 0.

    Returns (standardized X, mean, std): a new list of rows and the two per-column lists used.
    """
    table = _numeric_table(X, "X")
    width = len(table[0])
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std (from standardizing the training data) or neither")
    if mean is None or std is None:
        column_statistics = [_mean_and_std(column) for column in zip(*table)]
        means = [centre for centre, _ in column_statistics]
        stds = [spread for _, spread in column_statistics]
    else:
        means = _numeric_vector(mean, width, "mean")
        stds = _numeric_vector(std, width, "std")
        for column, spread in enumerate(stds):
            if spread < 0:
                raise ValueError(f"std[{column}] is {spread}; a standard deviation is >= 0")
    divisors = [spread if spread > 0 else 1.0 for spread in stds]
    rows = [
        [(x - centre) / divisor for x, centre, divisor in zip(row, means, divisors)]
        for row in table
    ]
    return rows, means, stds


# -------------------------------------------------------------------------------------------------
# The datasets the train command (and the playground page) offer, with the settings that learn each
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The training settings `train` uses for a dataset unless the command line says otherwise:
    chosen so that each dataset is learned well in well under 30 seconds (README, "train")."""

    samples: int | None  # None: the dataset has a fixed size
    layers: tuple[int, ...]
    epochs: int
    lr: float
    momentum: float = 0.0
    batch_size: int | None = None  # None: the whole dataset in each step

    def as_options(self) -> str:
        """These settings written as the options that would choose them."""
        options = [] if self.samples is None else [f"--samples {self.samples}"]
        options += [f"--layers {','.join(map(str, self.layers))}", f"--epochs {self.epochs}",
                    f"--lr {self.lr:g}"]
        if self.momentum:
            options.append(f"--momentum {self.momentum:g}")
        if self.batch_size is not None:
            options.append(f"--batch-size {self.batch_size}")
        return " ".join(options)


@dataclass(frozen=True)
class DatasetChoice:
    """A dataset the train command offers: how to load it, its default settings, its task."""

    description: str
    load: Callable[[int, int], tuple[Rows, list[Any]]]  # (samples, seed) -> (X, y)
    defaults: Settings
    classification: bool = True


DATASETS: dict[str, DatasetChoice] = {
    "moons": DatasetChoice(
        "two interleaved half circles (2-D, 2 classes)",
        lambda samples, seed: two_moons(samples, noise=0.1, seed=seed),
        Settings(samples=100, layers=(16, 16), epochs=100, lr=0.5),
    ),
    "circles": DatasetChoice(
        "a ring around a disc (2-D, 2 classes)",
        lambda samples, seed: circles(samples, noise=0.05, seed=seed),
        Settings(samples=100, layers=(16, 16), epochs=100, lr=0.5),
    ),
    "spirals": DatasetChoice(
        "three interleaved spiral arms (2-D, 3 classes)",
        lambda samples, seed: spirals(samples, classes=3, seed=seed),
        Settings(samples=150, layers=(16, 16), epochs=100, lr=0.05, momentum=0.9,
                 batch_size=16),
    ),
    "blobs": DatasetChoice(
        "three Gaussian clusters (2-D, 3 classes)",
        lambda samples, seed: blobs(samples, centers=3, seed=seed),
        Settings(samples=100, layers=(8,), epochs=50, lr=0.1, momentum=0.9),
    ),
    "xor": DatasetChoice(
        "the XOR truth table (2-D, 2 classes, 4 rows)",
        lambda samples, seed: logic_gate("xor"),
        Settings(samples=None, layers=(8,), epochs=100, lr=0.1, momentum=0.9),
    ),
    "digits": DatasetChoice(
        "8x8 handwritten digits (64-D, 10 classes; needs micrograd_ann[digits])",
        lambda samples, seed: digits(),
        Settings(samples=None, layers=(32,), epochs=10, lr=0.05, momentum=0.9, batch_size=32),
    ),
    "sum-of-two": DatasetChoice(
        "pairs in [0, 0.5] and their sum (regression)",
        lambda samples, seed: sum_of_two(samples, seed=seed),
        Settings(samples=200, layers=(8,), epochs=50, lr=0.05, momentum=0.9, batch_size=20),
        classification=False,
    ),
    "line": DatasetChoice(
        "points near the line y = 2x (regression)",
        lambda samples, seed: noisy_line(samples, seed=seed),
        Settings(samples=50, layers=(8,), epochs=100, lr=0.05, momentum=0.9),
        classification=False,
    ),
}
