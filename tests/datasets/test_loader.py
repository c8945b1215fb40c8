import pathlib

import numpy as np
import pandas as pd
import pytest

from keras_rec_tx import datasets
from keras_rec_tx.datasets import load


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real data dirs or Keras cache leak into these tests."""
    monkeypatch.delenv("KERAS_REC_TX_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("KERAS_REC_TX_MOVIELENS_URL", "http://127.0.0.1:9/")


def write(path, text, encoding="utf-8"):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_sasrec_format_keeps_file_order(tmp_path):
    path = write(
        tmp_path / "sasrec-amazon-games" / "Video.txt",
        "1 30\n1 10\n1 20\n2 10\n2 40\n",
    )
    with pytest.warns(UserWarning, match="sha256"):  # not the real file
        data = load("amazon-games", data_dir=tmp_path)
    assert not data.has_time and data.timestamps is None
    assert (data.num_users, data.num_items, data.num_interactions) == (2, 4, 5)
    np.testing.assert_array_equal(
        data.decode_items(data.sequence(0)), [30, 10, 20]
    )
    # The same file by path (format sniffed from .txt, two fields a line).
    other = write(tmp_path / "other.txt", path.read_text())
    again = load(other)
    np.testing.assert_array_equal(again.item_indices, data.item_indices)


def test_s3rec_format(tmp_path):
    path = write(tmp_path / "seqs.txt", "1 5 3 4\n2 3 5\n\n3 4 4 1\n")
    with pytest.warns(UserWarning, match="repeat"):
        data = load(path, format="s3rec")
    assert data.num_users == 3 and data.num_interactions == 8
    np.testing.assert_array_equal(
        data.decode_items(data.sequence(0)), [5, 3, 4]
    )
    with pytest.warns(UserWarning, match="repeat"):
        again = load(path)  # sniffed: lines have more than two fields
    assert again.num_interactions == 8


@pytest.mark.parametrize(
    "format, text, line",
    [
        ("sasrec", "1 2\n1 3\n1 x\n", 3),
        ("sasrec", "1 2\n1 3 4\n", 2),
        ("sasrec", "1 2\n\n2\n", 3),
        ("s3rec", "1 2 3\n2 3 4.5\n", 2),
        ("s3rec", "1 2 3\n2\n", 2),
    ],
)
def test_malformed_text_lines_name_the_line(tmp_path, format, text, line):
    path = write(tmp_path / "bad.txt", text)
    with pytest.raises(ValueError, match=rf"bad\.txt, line {line}: malformed"):
        load(path, format=format)


def test_movielens_100k_folder_with_titles(tmp_path):
    folder = tmp_path / "ml-100k"
    write(
        folder / "u.data",
        "1\t2\t5\t881250949\n1\t1\t3\t881250948\n2\t2\t4\t5\n",
    )
    write(
        folder / "u.item",
        "1|Toy Story (1995)|01-Jan-1995||http://x|0\n2|Caf\xe9 (1996)|x||y|0\n",
        encoding="latin-1",
    )
    with pytest.warns(UserWarning, match="sha256"):
        data = load("ml-100k", data_dir=tmp_path)
    assert data.has_time and data.num_interactions == 3
    np.testing.assert_array_equal(data.sequence(0), [1, 2])  # time order
    assert data.item_titles == {1: "Toy Story (1995)", 2: "Café (1996)"}
    high = load(folder / "u.data", min_rating=4, verify=False)
    assert high.num_interactions == 2
    bad = write(tmp_path / "ml-x" / "u.data", "1\t2\t5\t1\n1\t2\t5\n")
    with pytest.raises(ValueError, match=r"u\.data, line 2: malformed"):
        load(bad)


def test_movielens_dat_and_csv(tmp_path):
    write(
        tmp_path / "ml-1m" / "ratings.dat",
        "1::10::5::100\n1::20::4::50\n2::10::1::7\n",
    )
    write(
        tmp_path / "ml-1m" / "movies.dat",
        "10::Heat (1995)::Action\n20::Up::x\n",
        encoding="latin-1",
    )
    data = load("ml-1m", data_dir=tmp_path)
    np.testing.assert_array_equal(data.decode_items(data.sequence(0)), [20, 10])
    assert data.item_titles == {1: "Heat (1995)", 2: "Up"}
    write(
        tmp_path / "d" / "ml-latest-small" / "ratings.csv",
        "userId,movieId,rating,timestamp\n1,1,4.5,10\n1,2,0.5,5\n2,2,3.0,1\n",
    )
    write(
        tmp_path / "d" / "ml-latest-small" / "movies.csv",
        'movieId,title,genres\n1,"Toy Story, The (1995)",A\n2,B,C\n',
    )
    data = load("ml-latest-small", data_dir=tmp_path / "d", min_rating=3)
    assert data.num_interactions == 2
    assert data.item_titles == {1: "Toy Story, The (1995)", 2: "B"}


def test_csv_and_parquet_with_columns(tmp_path):
    df = pd.DataFrame(
        {"uid": ["a", "a", "b"], "iid": [3, 1, 2], "ts": [2, 1, 1]}
    )
    df.to_csv(tmp_path / "log.csv", index=False)
    df.to_parquet(tmp_path / "log.parquet")
    for name in ("log.csv", "log.parquet"):
        data = load(tmp_path / name, user="uid", item="iid", time="ts")
        np.testing.assert_array_equal(
            data.decode_items(data.sequence(0)), [1, 3]
        )
        np.testing.assert_array_equal(data.timestamps, [1, 2, 1])
    with pytest.raises(ValueError, match=r"'user_id'.*Available columns"):
        load(tmp_path / "log.csv")
    with pytest.raises(ValueError, match="CSV/Parquet files only"):
        load("amazon-beauty", data_dir=tmp_path, user="uid")


def test_unknown_name_and_format(tmp_path):
    with pytest.raises(ValueError, match=r"Did you mean 'ml-100k'"):
        load("ml-100")
    with pytest.raises(ValueError, match="`format` must be one of"):
        load("ml-100k", format="xml")
    write(tmp_path / "data.json", "{}")
    with pytest.raises(ValueError, match="Cannot tell the format"):
        load(tmp_path / "data.json")


def test_not_found_lists_every_place(tmp_path, monkeypatch):
    env_dir = tmp_path / "env"
    monkeypatch.setenv("KERAS_REC_TX_DATA", str(env_dir))
    with pytest.raises(FileNotFoundError) as info:
        load("amazon-beauty", data_dir=tmp_path / "mine")
    message = str(info.value)
    for place in (tmp_path / "mine", env_dir, datasets.cache_dir()):
        assert str(place / "s3rec-amazon-beauty" / "Beauty.txt") in message
    assert "data_dir" in message and "KERAS_REC_TX_DATA" in message
    with pytest.raises(FileNotFoundError) as info:
        load("ml-1m", data_dir=tmp_path, download=False)
    message = str(info.value)
    assert "ml-1m.zip" in message and "download=False" in message


def test_env_dir_then_cache_dir(tmp_path, monkeypatch):
    write(tmp_path / "env" / "Beauty.txt", "1 1 2\n2 2 3\n")
    monkeypatch.setenv("KERAS_REC_TX_DATA", str(tmp_path / "env"))
    with pytest.warns(UserWarning, match="sha256"):
        assert load("s3rec-amazon-beauty").num_interactions == 4
    monkeypatch.delenv("KERAS_REC_TX_DATA")
    write(
        datasets.cache_dir() / "s3rec-amazon-beauty" / "Beauty.txt",
        "1 1\n2 2\n",
    )
    assert load("amazon-beauty", verify=False).num_interactions == 2


def test_download_failure_is_reported(tmp_path):
    # Port 9 (discard) refuses connections: the error names the URL.
    with pytest.raises(
        FileNotFoundError,
        match=r"Downloading http://127\.0\.0\.1:9/ml-1m\.zip failed",
    ):
        load("ml-1m", data_dir=tmp_path)
