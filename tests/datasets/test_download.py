import functools
import hashlib
import http.server
import threading
import zipfile

import numpy as np
import pytest

from keras_rec_tx import datasets
from keras_rec_tx.datasets import load
from keras_rec_tx.datasets.registry import DATASETS

U_DATA = "1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250000\n"
U_ITEM = "10|Ten (1995)|x\n20|Twenty (1996)|x\n"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A local HTTP server on 127.0.0.1 serving tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), daemon=True
    )
    thread.start()
    monkeypatch.setenv(
        "KERAS_REC_TX_MOVIELENS_URL",
        f"http://127.0.0.1:{httpd.server_address[1]}/",
    )
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("KERAS_REC_TX_DATA", raising=False)
    yield root
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def build_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_verify_extract_and_cache(server, monkeypatch):
    digest = build_zip(
        server / "ml-100k.zip",
        {"ml-100k/u.data": U_DATA, "ml-100k/u.item": U_ITEM},
    )
    monkeypatch.setitem(DATASETS["ml-100k"], "sha256", digest)
    monkeypatch.setitem(DATASETS["ml-100k"], "files", {})
    data = load("ml-100k")
    assert (data.num_users, data.num_items, data.num_interactions) == (2, 2, 3)
    assert data.item_titles == {1: "Ten (1995)", 2: "Twenty (1996)"}
    cache = datasets.cache_dir()
    assert (cache / "ml-100k.zip").is_file()
    assert (cache / "ml-100k" / "u.data").is_file()
    # Second load reads the cache: works with the server gone.
    (server / "ml-100k.zip").unlink()
    again = load("ml-100k")
    np.testing.assert_array_equal(again.item_indices, data.item_indices)


def test_wrong_checksum_is_refused(server, monkeypatch):
    build_zip(server / "ml-100k.zip", {"ml-100k/u.data": U_DATA})
    monkeypatch.setitem(DATASETS["ml-100k"], "sha256", "0" * 64)
    with pytest.raises(ValueError, match="Checksum mismatch.*not used"):
        load("ml-100k")
    cache = datasets.cache_dir()
    assert not (cache / "ml-100k.zip").exists()
    assert not (cache / "ml-100k.zip.part").exists()
    assert not (cache / "ml-100k").exists()


def test_md5_used_when_no_sha256(server, monkeypatch):
    build_zip(server / "ml-1m.zip", {"ml-1m/ratings.dat": "1::2::3::4\n"})
    # The registry's GroupLens MD5 cannot match this test archive.
    assert DATASETS["ml-1m"]["sha256"] is None and DATASETS["ml-1m"]["md5"]
    with pytest.raises(ValueError, match="has md5"):
        load("ml-1m")


@pytest.mark.parametrize(
    "member", ["../evil.txt", "/abs/evil.txt", "ml-100k/../../evil.txt"]
)
def test_path_traversal_is_refused(server, monkeypatch, tmp_path, member):
    digest = build_zip(
        server / "ml-100k.zip", {"ml-100k/u.data": U_DATA, member: "boom"}
    )
    monkeypatch.setitem(DATASETS["ml-100k"], "sha256", digest)
    with pytest.raises(ValueError, match="Refusing to extract.*outside"):
        load("ml-100k")
    cache = datasets.cache_dir()
    assert not (cache / "ml-100k").exists()  # nothing was extracted
    assert not (cache / "ml-100k.zip").exists()  # nor kept
    assert not list(tmp_path.rglob("evil.txt"))


def test_local_archive_is_used(server, monkeypatch, tmp_path):
    local = tmp_path / "mine"
    local.mkdir()
    digest = build_zip(local / "ml-100k.zip", {"ml-100k/u.data": U_DATA})
    monkeypatch.setitem(DATASETS["ml-100k"], "sha256", digest)
    monkeypatch.setitem(DATASETS["ml-100k"], "files", {})
    assert load("ml-100k", data_dir=local, download=False).num_interactions == 3


HTML = b"<!DOCTYPE html><html><body>Please log in</body></html>"


def test_html_page_download_is_refused_and_not_cached(server):
    # A captive portal or error page served under the archive's name.
    (server / "ml-latest-small.zip").write_bytes(HTML)
    with pytest.raises(ValueError, match=r"ml-latest-small\.zip.*HTML"):
        load("ml-latest-small")
    cache = datasets.cache_dir()
    assert not (cache / "ml-latest-small.zip").exists()
    assert not (cache / "ml-latest-small.zip.part").exists()


def test_junk_archive_in_cache_is_deleted_and_downloaded_again(server):
    cache = datasets.cache_dir()
    cache.mkdir(parents=True)
    (cache / "ml-latest-small.zip").write_bytes(HTML)
    csv = "userId,movieId,rating,timestamp\n1,10,4.0,5\n1,20,3.0,6\n"
    build_zip(
        server / "ml-latest-small.zip", {"ml-latest-small/ratings.csv": csv}
    )
    with pytest.warns(UserWarning, match="not a valid zip.*Deleted"):
        data = load("ml-latest-small")
    assert data.num_interactions == 2
    assert (cache / "ml-latest-small.zip").read_bytes() != HTML


def test_junk_archive_in_data_dir_names_the_file(server, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "ml-latest-small.zip").write_bytes(HTML)
    with pytest.raises(ValueError, match=r"mine/ml-latest-small\.zip is not"):
        load("ml-latest-small", data_dir=mine, download=False)
    assert (mine / "ml-latest-small.zip").exists()  # the user's file stays
