"""Readers of the supported file formats (private helpers).

Each reader returns a DataFrame with columns `user_id`, `item_id` and,
where the format has them, `rating` and `timestamp`. Malformed lines of
the text formats raise a ValueError with the file and line number.
"""

import io
import itertools
import pathlib

import numpy as np
import pandas as pd

FORMATS = (
    "csv",
    "parquet",
    "sasrec",
    "s3rec",
    "movielens-100k",
    "movielens-dat",
    "movielens-csv",
)


def _malformed(path, lineno: int, line: str, expected: str) -> ValueError:
    shown = line if len(line) <= 80 else line[:77] + "..."
    return ValueError(
        f"{path}, line {lineno}: malformed line {shown!r}; expected {expected}."
    )


def _scan_int_lines(path, text: str, sep, ncols, expected) -> None:
    """Finds the first malformed line and raises a ValueError for it."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split(sep) if sep else line.split()
        ok = len(fields) == ncols
        for field in fields if ok else ():
            try:
                int(field)
            except ValueError:
                ok = False
                break
        if not ok:
            raise _malformed(path, lineno, line, expected)


def read_int_table(path, sep, names, encoding="utf-8") -> pd.DataFrame:
    """Reads a header-less table of integers, one row per line."""
    text = pathlib.Path(path).read_bytes().decode(encoding)
    expected = f"{len(names)} integers ({', '.join(names)}) separated by " + (
        repr(sep) if sep else "whitespace"
    )
    if sep and len(sep) > 1:
        text = text.replace(sep, "\t")
        sep_used, sep = "\t", "\t"
    else:
        sep_used = sep if sep else r"\s+"
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=sep_used,
            header=None,
            names=list(names),
            dtype=np.int64,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError, TypeError):
        _scan_int_lines(path, text, sep, len(names), expected)
        raise
    if df.isna().any().any():  # pragma: no cover - dtype=int64 forbids NaN
        _scan_int_lines(path, text, sep, len(names), expected)
    return df


def read_sasrec(path) -> pd.DataFrame:
    """`user item` per line, in time order per user (SASRec data files)."""
    return read_int_table(path, None, ("user_id", "item_id"))


def read_s3rec(path) -> pd.DataFrame:
    """`user item item ...` per line, items in time order (S3-Rec files)."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    users, sequences = [], []
    expected = "a user id followed by at least one item id (integers)"
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        try:
            values = [int(f) for f in fields]
        except ValueError:
            raise _malformed(path, lineno, line, expected) from None
        if len(values) < 2:
            raise _malformed(path, lineno, line, expected)
        users.append(values[0])
        sequences.append(values[1:])
    lengths = [len(s) for s in sequences]
    return pd.DataFrame(
        {
            "user_id": np.repeat(np.array(users, dtype=np.int64), lengths),
            "item_id": np.fromiter(
                (i for s in sequences for i in s),
                dtype=np.int64,
                count=sum(lengths),
            ),
        }
    )


def read_table(path, format) -> pd.DataFrame:
    """A CSV or Parquet file, columns as stored."""
    if format == "parquet":
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path)
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: malformed CSV: {error}") from error


def read_movielens(path, format) -> pd.DataFrame:
    """MovieLens ratings: u.data, ratings.dat or ratings.csv."""
    names = ("user_id", "item_id", "rating", "timestamp")
    if format == "movielens-100k":
        return read_int_table(path, "\t", names)
    if format == "movielens-dat":
        return read_int_table(path, "::", names, encoding="latin-1")
    df = read_table(path, "csv")
    columns = {
        "userId": "user_id",
        "movieId": "item_id",
        "rating": "rating",
        "timestamp": "timestamp",
    }
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{path}: not a MovieLens ratings.csv, columns {missing} are "
            f"missing (found {list(df.columns)})."
        )
    return df.rename(columns=columns)[list(names)]


def read_movielens_titles(path, format) -> dict:
    """Mapping movie id -> title from u.item, movies.dat or movies.csv."""
    if format == "movielens-csv":
        movies = pd.read_csv(path, usecols=["movieId", "title"])
        return dict(zip(movies["movieId"], movies["title"], strict=True))
    sep = "|" if format == "movielens-100k" else "::"
    titles = {}
    text = pathlib.Path(path).read_bytes().decode("latin-1")
    for line in text.splitlines():
        fields = line.split(sep)
        if len(fields) >= 2 and fields[0].strip().isdigit():
            titles[int(fields[0])] = fields[1]
    return titles


def sniff_text_format(path) -> str:
    """`"sasrec"` when the first lines all have two fields, else `"s3rec"`."""
    with open(path, encoding="utf-8", errors="replace") as f:
        counts = {len(line.split()) for line in itertools.islice(f, 1000)}
    counts.discard(0)
    return "sasrec" if counts == {2} else "s3rec"


def guess_format(path) -> str | None:
    """A format from the file name, or None."""
    path = pathlib.Path(path)
    name, suffix = path.name.lower(), path.suffix.lower()
    if name == "u.data":
        return "movielens-100k"
    if name == "ratings.dat":
        return "movielens-dat"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    if suffix == ".txt":
        return sniff_text_format(path)
    return None
