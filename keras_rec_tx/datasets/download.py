"""Checksummed downloads and safe archive extraction (private helpers)."""

import hashlib
import os
import pathlib
import urllib.request
import warnings
import zipfile


def file_digests(path) -> dict:
    """sha256 and md5 hex digests of a file, read in 1 MiB chunks."""
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha256.update(chunk)
            md5.update(chunk)
    return {"sha256": sha256.hexdigest(), "md5": md5.hexdigest()}


def checksum_mismatch(path, sha256=None, md5=None) -> str | None:
    """A message if `path` differs from the pinned sum, else None.

    Uses sha256 when pinned, else md5; None when neither is pinned.
    """
    if not sha256 and not md5:
        return None
    digests = file_digests(path)
    kind, expected = ("sha256", sha256) if sha256 else ("md5", md5)
    if digests[kind] == expected.lower():
        return None
    return (
        f"{path} has {kind} {digests[kind]}, expected {expected}. The file "
        "is corrupted, truncated or a different release."
    )


def archive_problem(path) -> str | None:
    """A message if `path` (a `.zip`) is not a readable zip archive (an
    HTML error page saved under the archive's name, a truncated file),
    else None."""
    path = pathlib.Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        with open(path, "rb") as f:
            head = f.read(64)
        looks = ""
        if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml")):
            looks = " It looks like an HTML/XML page (a proxy or error page?)."
        return (
            f"{path} is not a valid zip archive ({error}; first bytes "
            f"{head[:16]!r}).{looks}"
        )
    if bad is not None:
        return f"{path} is a damaged zip archive (member {bad!r} is corrupt)."
    return None


def download(url: str, path, sha256=None, md5=None, timeout=60.0) -> None:
    """Downloads `url` to `path`, verifying the pinned checksum first.

    The file is written to `path + ".part"` and renamed only when its
    checksum matches and, for a `.zip`, when it is a readable zip archive;
    otherwise the partial file is deleted and a ValueError naming the URL
    is raised. With no pinned checksum the file is kept with a warning
    giving its sha256.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            with open(part, "wb") as f:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    f.write(chunk)
        problem = checksum_mismatch(part, sha256, md5)
        if problem:
            raise ValueError(
                f"Checksum mismatch for the download of {url}: {problem} "
                "It was deleted and not used."
            )
        if path.suffix.lower() == ".zip":
            problem = archive_problem(part)
            if problem:
                raise ValueError(
                    f"The download of {url} is not a zip archive: {problem} "
                    "It was deleted and not used."
                )
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    if not sha256 and not md5:
        warnings.warn(
            f"No checksum is pinned for {url}; using it unverified (sha256 "
            f"{file_digests(part)['sha256']}).",
            UserWarning,
            stacklevel=2,
        )
    os.replace(part, path)


def safe_extract(archive, target) -> None:
    """Extracts a zip into `target`, refusing members that escape it.

    Every member is checked before anything is written: absolute paths,
    drive letters and `..` components raise a ValueError.
    """
    target = pathlib.Path(target).resolve()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(
            f"Cannot extract {archive}: it is not a valid zip archive "
            f"({error}). Delete it and download it again."
        ) from error
    with zf:
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            parts = pathlib.PurePosixPath(name).parts
            escapes = (
                name.startswith("/")
                or (len(name) > 1 and name[1] == ":")
                or ".." in parts
                or not (target / name).resolve().is_relative_to(target)
            )
            if escapes:
                raise ValueError(
                    f"Refusing to extract {archive}: member "
                    f"{info.filename!r} would be written outside {target} "
                    "(absolute path or '..'). The archive was not used."
                )
        target.mkdir(parents=True, exist_ok=True)
        zf.extractall(target)
