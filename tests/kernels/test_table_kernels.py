"""genomedata.kernels.table (through genomedata.ops._table): float32 values in their shortest
text, checked against numpy's own shortest digits, and the rows around them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genomedata.ops._table import table_text

pytestmark = pytest.mark.kernels


def numpy_text(v) -> str:
    """numpy's shortest digits of the float32 ``v`` in the notation the module documents."""
    v = np.float32(v)
    if np.isnan(v):
        return "NA"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 or 1e-4 <= abs(float(v)) < 1e6:
        return np.format_float_positional(v, unique=True, trim="0")
    return np.format_float_scientific(v, unique=True, trim="-", exp_digits=2)


def lines(values, **where) -> list:
    return bytes(table_text(values, **where)).decode().split("\n")[:-1]


def column(values) -> list:
    return lines(np.asarray(values, dtype=np.float32).reshape(-1, 1))


def test_hand_written_values():
    values = [0.0, -0.0, 1.0, -2.0, 0.1, 0.5, 12.0, 100.0, 123.45, 999999.94, 1e6, 1234567.0,
              1e-4, 1.00001e-4, 0.00012, 1e-5, 2.5e-7, 3.4e38, 1e-45, np.inf, -np.inf, np.nan,
              16777216.0, 1.5e16, 0.33333334]
    assert column(values) == [
        "0.0", "-0.0", "1.0", "-2.0", "0.1", "0.5", "12.0", "100.0", "123.45", "999999.94",
        "1e+06", "1.234567e+06", "1e-04", "0.000100001", "0.00012", "1e-05", "2.5e-07",
        "3.4e+38", "1e-45", "inf", "-inf", "NA", "1.6777216e+07", "1.5e+16", "0.33333334"]


def test_a_tie_takes_the_even_digit():
    # 0.240234375 is a float32: 8 digits end in 7 or 8 equally near; 8 is even
    assert column([0.240234375]) == ["0.24023438"]


def test_equal_to_numpy_on_many_values():
    rng = np.random.default_rng(7)
    values = np.concatenate([
        rng.normal(0, 1, 20000), np.round(rng.normal(2, 1.5, 20000), 3),
        10 ** rng.uniform(-44, 38, 20000) * rng.choice([-1, 1], 20000)]).astype(np.float32)
    bits = rng.integers(0, 2 ** 32, 20000, dtype=np.uint64).astype(np.uint32)
    values = np.concatenate([values, bits.view(np.float32)])
    assert column(values) == [numpy_text(v) for v in values]


def test_every_text_reads_back_as_its_float32():
    rng = np.random.default_rng(8)
    values = rng.integers(0, 2 ** 32, 50000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    values = values[np.isfinite(values)]
    back = np.array(column(values), dtype=np.float64).astype(np.float32)
    np.testing.assert_array_equal(back, values)


@settings(max_examples=300, deadline=None)
@given(bits=st.lists(st.integers(0, 2 ** 32 - 1), min_size=1, max_size=20))
def test_any_float32(bits):
    values = np.array(bits, dtype=np.uint32).view(np.float32)
    assert column(values) == [numpy_text(v) for v in values]


def test_rows_with_coordinates_and_names():
    values = np.array([[1.5, np.nan], [0.25, -3.0], [7.0, 1e30]])
    assert lines(values, missing="NA", chrom_names=["chr1", "chrX_random"],
                 chrom_ids=np.array([1, 0, 1]), starts=np.array([0, 10, 123456789]),
                 ends=np.array([5, 20, 123456790]), names=["a", "", "peak.3"]) == [
        "chrX_random\t0\t5\ta\t1.5\tNA",
        "chr1\t10\t20\t\t0.25\t-3.0",
        "chrX_random\t123456789\t123456790\tpeak.3\t7.0\t1e+30"]


def test_rows_without_names_and_the_missing_text():
    values = np.array([[np.nan], [2.0]], dtype=np.float32)
    assert lines(values, missing="nan") == ["nan", "2.0"]
    assert lines(values, chrom_names=["c"], chrom_ids=np.array([0, 0]),
                 starts=np.array([1, 2]), ends=np.array([3, 4])) == ["c\t1\t3\tNA",
                                                                      "c\t2\t4\t2.0"]


def test_no_rows_and_no_columns():
    assert lines(np.zeros((0, 3))) == []
    assert lines(np.zeros((2, 0)), chrom_names=["c"], chrom_ids=np.array([0, 0]),
                 starts=np.array([1, 2]), ends=np.array([3, 4])) == ["c\t1\t3", "c\t2\t4"]


def test_values_beyond_the_exact_range_are_written_by_numpy():
    from genomedata.kernels.table import hard_values
    # written by the kernel from 1e-13 to 1e22 (float32(1e-13) is below 1e-13)
    values = np.array([[1e-14, 1.0], [3e22, np.inf], [0.0, 9.9e21], [-1e-40, 2e-13]],
                      dtype=np.float32)
    np.testing.assert_array_equal(hard_values(values), [0, 2, 6])
    assert lines(values) == ["1e-14\t1.0", "3e+22\tinf", "0.0\t9.9e+21", "-1e-40\t2e-13"]
