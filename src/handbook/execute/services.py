"""Local stand-ins for the platforms' storage, on 127.0.0.1 only.

- Google Cloud Storage (Dapla): gcp-storage-emulator, reached by gcsfs through
  STORAGE_EMULATOR_HOST. Its stock server handles one connection at a time, which
  deadlocks gcsfs' connection pool, so we serve it from a threading HTTP server.
- S3 (BALSAM's MinIO): moto's server mode, reached through the JUPYTERLAB_S3_*
  variables a BALSAM workspace sets.

Servers start lazily, one of each per build process. A session that uses one holds
its lock, and the server is reset and seeded before the session runs, so every
session sees the same data whatever ran before it, and results can be cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import socket
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

SERVICES = ("gcs", "s3")
# Code that mentions one of these uses that service (authors can also say services="gcs s3").
MARKERS = {
    "gcs": ("gs://", "gcsfs", "STORAGE_EMULATOR_HOST", "google.cloud.storage"),
    "s3": ("s3://", "s3fs", "JUPYTERLAB_S3", "minio", "boto3"),
}
S3_ACCESS_KEY = "eksempel-tilgangsnokkel"
S3_SECRET_KEY = "eksempel-hemmelig-nokkel"


def services_used(code: str, declared: str | None = None) -> tuple[str, ...]:
    if declared:
        return tuple(s for s in SERVICES if s in declared.replace(",", " ").split())
    return tuple(s for s in SERVICES if any(marker in code for marker in MARKERS[s]))


def seed_version() -> str:
    """Changes whenever the seeded data or the way it is served changes."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServices:
    """Start on first use; stop() at the end of the build."""

    def __init__(self):
        self._start_lock = threading.Lock()
        self.locks = {name: threading.Lock() for name in SERVICES}
        self._gcs = None
        self._gcs_httpd = None
        self._s3 = None
        self.urls: dict[str, str] = {}

    def env(self, used: tuple[str, ...]) -> dict[str, str]:
        env = {}
        if "gcs" in used:
            env["STORAGE_EMULATOR_HOST"] = self.urls["gcs"]
            env["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"  # no gRPC probe: it stalls 60 s
        if "s3" in used:
            env["JUPYTERLAB_S3_ENDPOINT"] = self.urls["s3"]
            env["JUPYTERLAB_S3_ACCESS_KEY_ID"] = S3_ACCESS_KEY
            env["JUPYTERLAB_S3_SECRET_ACCESS_KEY"] = S3_SECRET_KEY
        return env

    @contextlib.contextmanager
    def session(self, used: tuple[str, ...]):
        """Hold the services a session uses, freshly seeded, and yield their environment."""
        with contextlib.ExitStack() as stack:
            for name in sorted(used):
                stack.enter_context(self.locks[name])
                self._ensure(name)
                (self._reset_gcs if name == "gcs" else self._reset_s3)()
            yield self.env(used)

    def _ensure(self, name: str) -> None:
        with self._start_lock:
            if name in self.urls:
                return
            (self._start_gcs if name == "gcs" else self._start_s3)()

    def _start_gcs(self) -> None:
        from gcp_storage_emulator import server as gse

        storage = gse.Storage(use_memory_fs=True)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietGcsHandler(gse), storage))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True, name="gcs-emulator").start()
        self._gcs, self._gcs_httpd = storage, httpd
        self.urls["gcs"] = f"http://127.0.0.1:{httpd.server_address[1]}"

    def _start_s3(self) -> None:
        from moto.server import ThreadedMotoServer

        port = _free_port()
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self._s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._s3.start()
        self.urls["s3"] = f"http://127.0.0.1:{port}"

    def _reset_gcs(self) -> None:
        import requests
        from gcp_storage_emulator.handlers import buckets

        self._gcs.wipe()
        base = self.urls["gcs"]
        for bucket, objects in gcs_seed().items():
            buckets.create_bucket(bucket, self._gcs)
            for key, data in objects.items():
                requests.post(f"{base}/upload/storage/v1/b/{bucket}/o",
                              params={"uploadType": "media", "name": key}, data=data,
                              timeout=10).raise_for_status()

    def _reset_s3(self) -> None:
        import boto3
        import requests

        requests.post(f"{self.urls['s3']}/moto-api/reset", timeout=10)
        client = boto3.client("s3", endpoint_url=self.urls["s3"], region_name="us-east-1",
                              aws_access_key_id=S3_ACCESS_KEY, aws_secret_access_key=S3_SECRET_KEY)
        for bucket, objects in s3_seed().items():
            client.create_bucket(Bucket=bucket)
            for key, data in objects.items():
                client.put_object(Bucket=bucket, Key=key, Body=data)

    def stop(self) -> None:
        if self._gcs_httpd is not None:
            self._gcs_httpd.shutdown()
            self._gcs_httpd.server_close()
            self._gcs_httpd = None
        if self._s3 is not None:
            self._s3.stop()
            self._s3 = None
        self.urls.clear()


def _QuietGcsHandler(gse):
    class Handler(gse.RequestHandler):
        def log_message(self, *args):
            pass

        def handle(self):
            # Clients that drop a prefetch connection are normal, not errors.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()
    return Handler


def _parquet(df) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def gcs_seed() -> dict[str, dict[str, bytes]]:
    """Dapla's buckets as they are named today, for a team called eksempelteam.

    Bucket names follow ssb-<team>-data-<kind>-<env>; the product and shared buckets follow
    SSB's naming standard: <product short name>/<data state>/<description>_p<period>_v<version>.
    """
    team = _eksempelteam()
    seed = {
        "ssb-eksempelteam-data-kilde-prod": team["kilde"],
        "ssb-eksempelteam-data-kilde-frasky-prod": {},
        "ssb-eksempelteam-data-kilde-tilsky-prod": {},
        "ssb-eksempelteam-data-produkt-prod": team["produkt"],
        "ssb-eksempelteam-data-frasky-prod": team["frasky"],
        "ssb-eksempelteam-data-tilsky-prod": team["tilsky"],
        "ssb-eksempelteam-data-delt-befolkning-prod": team["delt-befolkning"],
        # The test environment has its own kilde and produkt buckets (no frasky/tilsky).
        "ssb-eksempelteam-data-kilde-test": team["kilde"],
        "ssb-eksempelteam-data-produkt-test": team["produkt"],
        # Dapla Felles: everyone in SSB is a developer there.
        "ssb-dapla-felles-data-produkt-prod": {
            "befolkning/klargjorte-data/befolkning_p2024_v1.parquet": team["people.parquet"],
        },
    }
    return seed


def mount_seed(group: str = "developers") -> dict[str, dict[str, bytes]]:
    """What a Dapla Lab service started as eksempelteam in prod shows under /buckets/.

    {folder under /buckets: {path inside it: bytes}}; an empty dict is an empty folder.
    The team's own buckets appear by short name (produkt, frasky, tilsky), its shared
    buckets as delt-<short name>. A service started with the developers group (the usual
    case, and what the handbook's examples assume) has no kilde folder; one started with
    data-admins and activated access also has kilde.
    """
    team = _eksempelteam()
    names = ["produkt", "frasky", "tilsky", "delt-befolkning"]
    if group == "data-admins":
        names.append("kilde")
    return {name: dict(team[name]) for name in names}


def _eksempelteam() -> dict:
    import pandas as pd  # only when seeding: importing it costs every build 0.4 s

    people = pd.DataFrame(POPULATION_NO)
    per_county = people.groupby(["fylke", "aar"], as_index=False)["innbyggere"].sum()
    people_parquet = _parquet(people)
    per_county_parquet = _parquet(per_county)
    # What an old system on-prem exports: semicolons, Latin-1, codes with a leading zero.
    on_prem_csv = people.to_csv(index=False, sep=";").encode("latin1")
    product = {
        "befolkning/inndata/befolkning_p2024_v1.csv": people.to_csv(index=False).encode(),
        "befolkning/inndata/befolkning_p2024_v1.json":
            people.to_json(orient="records", force_ascii=False).encode(),
        "befolkning/klargjorte-data/befolkning_p2024_v1.parquet": people_parquet,
        "befolkning/statistikk/befolkning-per-fylke_p2024_v1.parquet": per_county_parquet,
        "befolkning/utdata/befolkning-per-fylke_p2024_v1.csv":
            per_county.to_csv(index=False).encode(),
    }
    return {
        "people.parquet": people_parquet,
        "kilde": {"folkeregister/befolkning_2024-01-01.csv": on_prem_csv},
        "produkt": product,
        "frasky": {},
        "tilsky": {"befolkning-bakke_p2024_v1.csv": on_prem_csv},
        "delt-befolkning": {
            "befolkning/utdata/befolkning-per-fylke_p2024_v1.parquet": per_county_parquet,
        },
    }


def s3_seed() -> dict[str, dict[str, bytes]]:
    import pandas as pd

    people = pd.DataFrame(POPULATION_SE)
    return {"exempelprojekt": {
        "main/indata/befolkning_2024.csv": people.to_csv(index=False).encode(),
        "main/indata/befolkning_2024.parquet": _parquet(people),
    }}


def describe() -> str:
    return json.dumps({"gcs": {b: sorted(o) for b, o in gcs_seed().items()},
                       "s3": {b: sorted(o) for b, o in s3_seed().items()}}, indent=2)


# Example figures for teaching, not official statistics. The one source of Norwegian figures in
# the Dapla examples: pages and notebooks read them from the seeded buckets.
POPULATION_NO = {
    "kommunenr": ["0301", "4601", "5001", "1103", "1108"],
    "kommune": ["Oslo", "Bergen", "Trondheim", "Stavanger", "Sandnes"],
    "fylke": ["Oslo", "Vestland", "Trøndelag", "Rogaland", "Rogaland"],
    "aar": [2024] * 5,
    "innbyggere": [717710, 291940, 214565, 149048, 83496],
}
POPULATION_SE = {
    # Municipality (kommun) populations; `lan` is the county (län) each kommun lies in. They are
    # not county totals: a sum per län covers only these kommuner, so do not label it as the län's.
    "kommunkod": ["0180", "1480", "1280", "0380", "0580"],
    "kommun": ["Stockholm", "Göteborg", "Malmö", "Uppsala", "Linköping"],
    "lan": ["Stockholms län", "Västra Götalands län", "Skåne län", "Uppsala län",
            "Östergötlands län"],
    "ar": [2024] * 5,
    "folkmangd": [988000, 604000, 362000, 242000, 167000],
}
