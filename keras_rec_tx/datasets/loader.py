"""`keras_rec_tx.datasets.load`: named datasets and interaction files."""

import difflib
import os
import pathlib
import urllib.error
import warnings

from keras_rec_tx.data.interactions import Interactions
from keras_rec_tx.datasets import download as download_lib
from keras_rec_tx.datasets import readers
from keras_rec_tx.datasets.registry import (
    ALIASES,
    DATA_DIR_ENV,
    DATASETS,
    MOVIELENS_URL,
    MOVIELENS_URL_ENV,
    resolve_name,
)
from keras_rec_tx.utils import check_bool, check_choice, check_float


def cache_dir() -> pathlib.Path:
    """The Keras cache: `$KERAS_HOME/datasets` or `~/.keras/datasets`."""
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return pathlib.Path(home) / "datasets"


def _search_dirs(data_dir) -> list:
    dirs = []
    if data_dir is not None:
        dirs.append(pathlib.Path(data_dir).expanduser())
    if os.environ.get(DATA_DIR_ENV):
        dirs.append(pathlib.Path(os.environ[DATA_DIR_ENV]).expanduser())
    dirs.append(cache_dir())
    return dirs


def _verify_local(path, entry, verify: bool) -> None:
    expected = entry.get("files", {}).get(pathlib.Path(path).name)
    if verify and expected:
        problem = download_lib.checksum_mismatch(path, sha256=expected)
        if problem:
            warnings.warn(
                f"{problem} Results may not match published numbers.",
                UserWarning,
                stacklevel=3,
            )


def _extract(archive, entry) -> pathlib.Path:
    target = cache_dir()
    download_lib.safe_extract(archive, target)
    path = target / entry["folder"] / entry["file"]
    if not path.is_file():
        raise ValueError(
            f"The archive {archive} has no {entry['folder']}/{entry['file']}."
        )
    return path


def _locate(key: str, data_dir, verify: bool, download: bool):
    """Finds (or downloads) a registered dataset's main file."""
    entry = DATASETS[key]
    dirs = _search_dirs(data_dir)
    looked = []
    for d in dirs:
        for path in (d / entry["folder"] / entry["file"], d / entry["file"]):
            looked.append(str(path))
            if path.is_file():
                _verify_local(path, entry, verify)
                return path
    archive = entry.get("archive")
    notes = []
    if archive:
        for d in dirs:
            path = d / archive
            looked.append(str(path))
            if path.is_file():
                junk = download_lib.archive_problem(path)
                if junk and d == cache_dir():
                    # Left by an older version or another tool: drop it and
                    # download a fresh copy below.
                    warnings.warn(
                        f"{junk} Deleted it from the cache.",
                        UserWarning,
                        stacklevel=3,
                    )
                    path.unlink()
                    continue
                if junk:
                    raise ValueError(
                        f"{junk} Replace or delete it (it was not used)."
                    )
                problem = download_lib.checksum_mismatch(
                    path, entry.get("sha256"), entry.get("md5")
                )
                if verify and problem:
                    warnings.warn(problem, UserWarning, stacklevel=3)
                return _extract(path, entry)
        base = os.environ.get(MOVIELENS_URL_ENV) or MOVIELENS_URL
        url = base.rstrip("/") + "/" + archive
        if download:
            target = cache_dir() / archive
            try:
                download_lib.download(
                    url, target, entry.get("sha256"), entry.get("md5")
                )
            except (urllib.error.URLError, OSError) as error:
                notes.append(f"Downloading {url} failed: {error}.")
            else:
                try:
                    return _extract(target, entry)
                except (ValueError, OSError):
                    target.unlink(missing_ok=True)
                    raise
        else:
            notes.append(f"download=False: {url} was not fetched.")
    how = (
        f"Put {entry['folder']}/{entry['file']} under a data directory and "
        f"pass data_dir=..., or set ${DATA_DIR_ENV}"
    )
    if archive:
        how += (
            f", or place {archive} there, or call with download=True "
            f"where files.grouplens.org is reachable (${MOVIELENS_URL_ENV} "
            "overrides the base URL)."
        )
    else:
        how += f". The file is {entry.get('source', 'not downloadable')}."
    raise FileNotFoundError(
        f"Dataset {key!r} ({entry['file']}) was not found. Looked in:\n  "
        + "\n  ".join(looked)
        + ("\n" + "\n".join(notes) if notes else "")
        + "\n"
        + how
    )


def _entry_for_path(path: pathlib.Path):
    """The registry key whose main file is `path` or lies in dir `path`."""
    if path.is_dir():
        for key, entry in DATASETS.items():
            for candidate in (
                path / entry["file"],
                path / entry["folder"] / entry["file"],
            ):
                if candidate.is_file():
                    return key, candidate
        return None, None
    for key, entry in DATASETS.items():
        if path.name == entry["file"] and (
            path.parent.name == entry["folder"]
            or entry["format"] in ("sasrec", "s3rec")
        ):
            return key, path
    return None, None


def load(
    name_or_path,
    data_dir=None,
    *,
    user: str | None = None,
    item: str | None = None,
    time: str | None = None,
    rating: str | None = None,
    min_rating: float | None = None,
    format: str | None = None,
    verify: bool = True,
    download: bool = True,
) -> Interactions:
    """Loads a benchmark dataset or an interaction file as `Interactions`.

    Names: `"ml-100k"` (u.data with timestamps, titles from u.item),
    `"ml-1m"` (ratings.dat, movies.dat), `"ml-20m"`, `"ml-25m"`,
    `"ml-latest-small"` (ratings.csv, movies.csv), `"sasrec-amazon-games"`
    (alias `"amazon-games"`: SASRec's Video.txt, `user item` per line, no
    timestamps, file order kept) and `"s3rec-amazon-beauty"` (alias
    `"amazon-beauty"`: S3-Rec's Beauty.txt, `user item item ...` per
    line). A name is looked up, as `<dir>/<folder>/<file>` or
    `<dir>/<file>`, in `data_dir`, then `$KERAS_REC_TX_DATA`, then the Keras
    cache (`$KERAS_HOME/datasets` or `~/.keras/datasets`). A missing
    MovieLens dataset is taken from its zip in those places, or downloaded
    from files.grouplens.org (`$KERAS_REC_TX_MOVIELENS_URL` overrides the
    base URL) into the Keras cache; the archive's checksum is verified
    before use (a mismatch raises and the file is deleted) and members
    that would escape the cache (`..`, absolute paths) are refused. Local
    files with a known sha256 that differ give a warning.

    Paths: an existing file or directory is read directly. CSV and Parquet
    files need column names (`user`, default `"user_id"`; `item`, default
    `"item_id"`; `time`, `rating`). `.txt` files are read as `"sasrec"`
    when their first lines have two fields, else `"s3rec"`; pass `format`
    to be explicit.

    Args:
        name_or_path: a registered name or a path.
        data_dir: directory to look in first.
        user: user column (CSV/Parquet only).
        item: item column (CSV/Parquet only).
        time: timestamp column (CSV/Parquet only).
        rating: rating column (CSV/Parquet only).
        min_rating: keep interactions rated at least this (MovieLens,
            CSV/Parquet with `rating`).
        format: one of `"csv"`, `"parquet"`, `"sasrec"`, `"s3rec"`,
            `"movielens-100k"`, `"movielens-dat"`, `"movielens-csv"`.
        verify: warn when a local copy's sha256 differs from the known one.
            Downloads are always verified against the pinned checksum.
        download: allow downloading missing MovieLens archives.

    Returns:
        An `Interactions`.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.load("ml-100k", data_dir="../shared/data")
    train, valid, test = data.leave_one_out()
    ```
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(
            "`name_or_path` must be a dataset name or a path. "
            f"Received: name_or_path={name_or_path!r}"
        )
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(
            "`data_dir` must be a path or None. "
            f"Received: data_dir={data_dir!r}"
        )
    if format is not None:
        check_choice("format", format, readers.FORMATS)
    verify = check_bool("verify", verify)
    download = check_bool("download", download)
    min_rating = check_float(
        "min_rating", min_rating, minimum=0.0, allow_none=True
    )
    path = pathlib.Path(os.fspath(name_or_path)).expanduser()
    key = None
    if path.exists():
        key, found = _entry_for_path(path)
        if key is not None and format in (None, DATASETS[key]["format"]):
            _verify_local(found, DATASETS[key], verify)
            path = found
        elif path.is_dir():
            raise ValueError(
                f"{path} is a directory without a known dataset file "
                f"({sorted({e['file'] for e in DATASETS.values()})}). "
                "Pass the file's path instead."
            )
        else:
            key = None
    else:
        key = resolve_name(str(name_or_path))
        if key is None:
            known = sorted(DATASETS) + sorted(ALIASES)
            close = difflib.get_close_matches(str(name_or_path), known, n=3)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"{name_or_path!r} is neither a known dataset nor an "
                f"existing path.{hint} Known datasets: {sorted(DATASETS)}. "
                f"Received: name_or_path={name_or_path!r}"
            )
        fixed = DATASETS[key]["format"] not in ("csv", "parquet")
        given = {
            k: v
            for k, v in dict(
                user=user, item=item, time=time, rating=rating
            ).items()
            if v is not None
        }
        if fixed and given:
            raise ValueError(
                "Column arguments apply to CSV/Parquet files only; "
                f"{key!r} has a fixed layout. Received: {given}"
            )
        path = _locate(key, data_dir, verify, download)
    if key is not None:
        format = DATASETS[key]["format"]
    elif format is None:
        format = readers.guess_format(path)
        if format is None:
            raise ValueError(
                f"Cannot tell the format of {path}. Pass format= one of "
                f"{readers.FORMATS}."
            )
    return _read(
        path,
        format,
        DATASETS[key] if key else None,
        dict(user=user, item=item, time=time, rating=rating),
        min_rating,
    )


def _read(path, format, entry, columns, min_rating) -> Interactions:
    if format in ("csv", "parquet"):
        df = readers.read_table(path, format)
        return Interactions.from_dataframe(
            df,
            user=columns["user"] or "user_id",
            item=columns["item"] or "item_id",
            time=columns["time"],
            rating=columns["rating"],
            min_rating=min_rating,
        )
    given = {k: v for k, v in columns.items() if v is not None}
    if given:
        raise ValueError(
            f"Column arguments apply to CSV/Parquet files only; {path} has "
            f"the fixed {format!r} layout. Received: {given}"
        )
    if format in ("sasrec", "s3rec"):
        if min_rating is not None:
            raise ValueError(
                f"{path} has no ratings. Received: min_rating={min_rating}"
            )
        reader = (
            readers.read_sasrec if format == "sasrec" else readers.read_s3rec
        )
        return Interactions.from_dataframe(reader(path))
    df = readers.read_movielens(path, format)
    titles = None
    titles_name = (
        entry["titles"]
        if entry
        else {
            "movielens-100k": "u.item",
            "movielens-dat": "movies.dat",
            "movielens-csv": "movies.csv",
        }[format]
    )
    titles_path = pathlib.Path(path).parent / titles_name
    if titles_path.is_file():
        titles = readers.read_movielens_titles(titles_path, format)
    return Interactions.from_dataframe(
        df,
        time="timestamp",
        rating="rating",
        min_rating=min_rating,
        item_titles=titles,
    )
