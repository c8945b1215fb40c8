"""benchmarks/recbole_sasrec.py's data conversion and the moving-average
helpers it shares with benchmarks/time_to_quality.py (RecBole itself is
not installed here: it runs in its own environment)."""

import pytest

from benchmarks import quality_curve, recbole_sasrec
from tests.benchmark_modules import ONCE

pytestmark = ONCE


def test_atomic_inter_file(tmp_path):
    u_data = tmp_path / "u.data"
    u_data.write_text("1\t10\t5\t881250949\n2\t20\t3\t891717742\n")
    assert recbole_sasrec.write_atomic_inter(u_data, tmp_path / "out") == 2
    lines = (tmp_path / "out/ml-100k/ml-100k.inter").read_text().splitlines()
    assert lines == [
        "user_id:token\titem_id:token\trating:float\ttimestamp:float",
        "1\t10\t5\t881250949",
        "2\t20\t3\t891717742",
    ]


def test_atomic_inter_rejects_bad_rows_and_empty_files(tmp_path):
    u_data = tmp_path / "u.data"
    u_data.write_text("1\t10\t5\t881250949\n2,20,3,891717742\n")
    with pytest.raises(ValueError, match=r"u.data:2: expected 4"):
        recbole_sasrec.write_atomic_inter(u_data, tmp_path / "out")
    u_data.write_text("")
    with pytest.raises(ValueError, match="no interactions"):
        recbole_sasrec.write_atomic_inter(u_data, tmp_path / "out")


def test_moving_averages():
    curve = [0.1, 0.4, 0.1, 0.4, 0.4, 0.1]
    assert quality_curve.moving_averages(curve) == pytest.approx(
        [0.2, 0.3, 0.3, 0.3]
    )
    assert quality_curve.best_moving_average(curve) == pytest.approx(0.3)
    index, average = quality_curve.first_reaching(curve, 0.25)
    assert (index, average) == (3, pytest.approx(0.3))  # epochs 2-4
    assert quality_curve.first_reaching(curve, 0.31) is None
    assert quality_curve.best_moving_average([0.5, 0.5]) is None
