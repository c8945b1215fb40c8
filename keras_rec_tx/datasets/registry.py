"""Known datasets: where their files live, how to read and verify them.

The data files are never shipped with the package (their licences forbid
redistribution); `keras_rec_tx.datasets.load` reads them from a data
directory, or downloads the MovieLens archives from GroupLens.

Checksums: `sha256` pins an archive or file. GroupLens publishes MD5 sums
(`<archive>.md5` next to each zip), used where no sha256 is pinned.
`ml-latest-small` is updated in place by GroupLens, so it has no pinned
sum: a download of it is used with a warning giving its sha256.
`files` lists the sha256 of individual files where known; a local copy
that differs only gives a warning.
"""

MOVIELENS_URL = "https://files.grouplens.org/datasets/movielens/"
MOVIELENS_URL_ENV = "KERAS_REC_TX_MOVIELENS_URL"
DATA_DIR_ENV = "KERAS_REC_TX_DATA"

DATASETS = {
    "ml-100k": {
        "format": "movielens-100k",
        "folder": "ml-100k",
        "file": "u.data",
        "titles": "u.item",
        "archive": "ml-100k.zip",
        "sha256": None,
        "md5": "0e33842e24a9c977be4e0107933c0723",
        "files": {
            "u.data": (
                "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490"
            ),
            "u.item": (
                "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701"
            ),
        },
    },
    "ml-1m": {
        "format": "movielens-dat",
        "folder": "ml-1m",
        "file": "ratings.dat",
        "titles": "movies.dat",
        "archive": "ml-1m.zip",
        "sha256": None,
        "md5": "c4d9eecfca2ab87c1945afe126590906",
        "files": {},
    },
    "ml-20m": {
        "format": "movielens-csv",
        "folder": "ml-20m",
        "file": "ratings.csv",
        "titles": "movies.csv",
        "archive": "ml-20m.zip",
        "sha256": None,
        "md5": "cd245b17a1ae2cc31bb14903e1204af3",
        "files": {},
    },
    "ml-25m": {
        "format": "movielens-csv",
        "folder": "ml-25m",
        "file": "ratings.csv",
        "titles": "movies.csv",
        "archive": "ml-25m.zip",
        "sha256": None,
        "md5": "6b51fb2759a8657d3bfcbfc42b592ada",
        "files": {},
    },
    "ml-latest-small": {
        "format": "movielens-csv",
        "folder": "ml-latest-small",
        "file": "ratings.csv",
        "titles": "movies.csv",
        "archive": "ml-latest-small.zip",
        "sha256": None,
        "md5": None,
        "files": {},
    },
    "sasrec-amazon-games": {
        "format": "sasrec",
        "folder": "sasrec-amazon-games",
        "file": "Video.txt",
        "titles": None,
        "archive": None,
        "files": {
            "Video.txt": (
                "b7376fe24430743f411dc7f567285657b2adb3f74361cc7ba0aee94f3024b651"
            ),
        },
        "source": "data/Video.txt of github.com/kang205/SASRec",
    },
    "s3rec-amazon-beauty": {
        "format": "s3rec",
        "folder": "s3rec-amazon-beauty",
        "file": "Beauty.txt",
        "titles": None,
        "archive": None,
        "files": {
            "Beauty.txt": (
                "226cce9c3105299ca0db9615d7d3fb32b3175e90da43100ae352599f0f0107b8"
            ),
        },
        "source": "data/Beauty.txt of github.com/RUCAIBox/CIKM2020-S3Rec",
    },
}

ALIASES = {
    "amazon-games": "sasrec-amazon-games",
    "amazon-beauty": "s3rec-amazon-beauty",
    "movielens-100k": "ml-100k",
    "movielens-1m": "ml-1m",
    "movielens-20m": "ml-20m",
    "movielens-25m": "ml-25m",
}


def resolve_name(name: str) -> str | None:
    """The registry key for `name` (case-insensitive, aliases), or None."""
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    return key if key in DATASETS else None
