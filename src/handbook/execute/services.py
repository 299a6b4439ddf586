"""Local stand-ins for the platforms' storage, and the data they are seeded with.

- `gcs` (Dapla's Google Cloud Storage): gcp-storage-emulator, reached by gcsfs through
  STORAGE_EMULATOR_HOST. Its stock server handles one connection at a time, which deadlocks
  gcsfs' connection pool, so we serve it from a threading HTTP server.
- `s3` (BALSAM's MinIO): moto's server mode, reached through the JUPYTERLAB_S3_* variables a
  BALSAM workspace sets.
- `buckets` (Dapla Lab): the team's buckets as folders under /buckets/, a writable copy per session.

Each implements handbook.execute.standins.StandIn; handbook.execute.registry finds them by
name (`services="gcs"`) or by what the code mentions (MARKERS). Servers listen on the host's
127.0.0.1; the sandbox relays the same port inside. A session holds the stand-in's lock, and the
stand-in is reset to its seed before the session runs, so every session sees the same data
whatever ran before it, and results can be cached. The seed functions below belong to the
content writers.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import socket
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from handbook.execute.standins import Endpoint, Exposure

S3_ACCESS_KEY = "eksempel-tilgangsnokkel"
S3_SECRET_KEY = "eksempel-hemmelig-nokkel"


class GcsStandIn:
    name = "gcs"
    markers = ("gs://", "gcsfs", "STORAGE_EMULATOR_HOST", "google.cloud.storage")

    def __init__(self, project=None, workdir: Path | None = None):
        self._storage = None
        self._httpd = None
        self.port = 0

    def start(self) -> None:
        if self._httpd is not None:
            return
        from gcp_storage_emulator import server as gse

        self._storage = gse.Storage(use_memory_fs=True)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_quiet_gcs_handler(gse), self._storage))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="gcs-emulator").start()
        self.port = self._httpd.server_address[1]

    def reset(self) -> None:
        import requests
        from gcp_storage_emulator.handlers import buckets

        self._storage.wipe()
        for bucket, objects in gcs_seed().items():
            buckets.create_bucket(bucket, self._storage)
            for key, data in objects.items():
                requests.post(f"http://127.0.0.1:{self.port}/upload/storage/v1/b/{bucket}/o",
                              params={"uploadType": "media", "name": key}, data=data,
                              timeout=10).raise_for_status()

    def exposure(self) -> Exposure:
        return Exposure(endpoints=[Endpoint("127.0.0.1", self.port, self.port)],
                        env={"STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{self.port}",
                             "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false"})  # no gRPC probe: it stalls 60 s

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class S3StandIn:
    name = "s3"
    markers = ("s3://", "s3fs", "JUPYTERLAB_S3", "minio", "boto3")

    def __init__(self, project=None, workdir: Path | None = None):
        self._server = None
        self.port = 0

    def start(self) -> None:
        if self._server is not None:
            return
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def reset(self) -> None:
        import boto3
        import requests

        url = f"http://127.0.0.1:{self.port}"
        requests.post(f"{url}/moto-api/reset", timeout=10)
        client = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id=S3_ACCESS_KEY, aws_secret_access_key=S3_SECRET_KEY)
        for bucket, objects in s3_seed().items():
            client.create_bucket(Bucket=bucket)
            for key, data in objects.items():
                client.put_object(Bucket=bucket, Key=key, Body=data)

    def exposure(self) -> Exposure:
        return Exposure(endpoints=[Endpoint("127.0.0.1", self.port, self.port)],
                        env={"JUPYTERLAB_S3_ENDPOINT": f"http://127.0.0.1:{self.port}",
                             "JUPYTERLAB_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
                             "JUPYTERLAB_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY})

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


class BucketsStandIn:
    """Dapla Lab mounts the team's buckets at /buckets/<short name>/; here every session gets its
    own writable copy of the seeded folder, so writes work as on Dapla and never reach the seed."""

    name = "buckets"
    markers = ("/buckets/",)
    MOUNT = "/buckets"

    def __init__(self, project=None, workdir: Path | None = None):
        if workdir is None:
            raise ValueError("the buckets stand-in needs a working folder")
        self.folder = workdir / "buckets"

    def start(self) -> None:
        if self.folder.exists():
            return
        self.folder.mkdir(parents=True)
        for name, objects in mount_seed().items():
            (self.folder / name).mkdir()
            for key, data in objects.items():
                target = self.folder / name / key
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)

    def reset(self) -> None:
        """Nothing to do: sessions write to their own copy, never to this folder."""

    def exposure(self) -> Exposure:
        return Exposure(copies={self.MOUNT: self.folder})

    def stop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


STANDINS = [GcsStandIn, S3StandIn, BucketsStandIn]


def _quiet_gcs_handler(gse):
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
