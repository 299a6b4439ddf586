"""Local stand-ins for the platforms' storage; the data they are seeded with is in seeds.py.

- `gcs` (Dapla's Google Cloud Storage): gcp-storage-emulator, reached by gcsfs through
  STORAGE_EMULATOR_HOST. Its stock server handles one connection at a time, which deadlocks
  gcsfs' connection pool, so we serve it from a threading HTTP server.
- `s3` (BALSAM's MinIO): moto's server mode, reached through the JUPYTERLAB_S3_* variables a
  BALSAM workspace sets.
- `buckets` (Dapla Lab): the team's buckets as folders under /buckets/, a writable copy per session.
  `buckets-dapla-felles` is the same for a service started as Dapla Felles (the map-data examples).

Each implements handbook.execute.standins.StandIn; handbook.execute.registry finds them by
name (`services="gcs"`) or by what the code mentions (MARKERS). Servers listen on the host's
127.0.0.1; the sandbox relays the same port inside. A session holds the stand-in's lock, and the
stand-in is reset to its seed before the session runs, so every session sees the same data
whatever ran before it, and results can be cached.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from handbook.execute import seeds
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
        from gcp_storage_emulator.handlers import buckets
        from gcp_storage_emulator.handlers import objects as gso

        self._storage.wipe()
        url = f"http://127.0.0.1:{self.port}"
        for bucket, objects in seeds.gcs_seed().items():
            buckets.create_bucket(bucket, self._storage)
            for key, data in objects.items():  # what a media upload does, without HTTP per object
                # contentType as GCS sets it: pyarrow's client aborts the process on a null one
                meta = gso._make_object_resource(url, bucket, key, "application/octet-stream", str(len(data)))
                self._storage.create_file(bucket, key, data, gso._checksums(data, meta))

    def exposure(self) -> Exposure:
        url = f"http://127.0.0.1:{self.port}"
        return Exposure(endpoints=[Endpoint("127.0.0.1", self.port, self.port)],
                        env={"STORAGE_EMULATOR_HOST": url,                  # gcsfs, google-cloud-storage
                             "CLOUD_STORAGE_EMULATOR_ENDPOINT": url,        # pyarrow's own gs:// filesystem
                             "GCE_METADATA_ROOT": f"127.0.0.1:{self.port}",  # ... and its credentials
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
        for bucket, objects in seeds.s3_seed().items():
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
    team = "eksempelteam"

    def __init__(self, project=None, workdir: Path | None = None):
        if workdir is None:
            raise ValueError("the buckets stand-in needs a working folder")
        self.folder = workdir / "buckets"

    def start(self) -> None:
        if self.folder.exists():
            return
        self.folder.mkdir(parents=True)
        for name, objects in seeds.mount_seed(team=self.team).items():
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


class DaplaFellesBucketsStandIn(BucketsStandIn):
    """/buckets/ in a service started with the group dapla-felles-developers and the shared map
    bucket added, as dapla/kartdata.md describes. Only by name (services="buckets-dapla-felles"):
    code that mentions /buckets/ gets eksempelteam's. Never together with `buckets` in one session."""

    name = "buckets-dapla-felles"
    markers = ()
    team = "dapla-felles"


# Their seeds are part of every cache key that uses them (handbook.execute.registry).
SEED_MODULES = [seeds]
STANDINS = [GcsStandIn, S3StandIn, BucketsStandIn, DaplaFellesBucketsStandIn]


def _quiet_gcs_handler(gse):
    class Handler(gse.RequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/computeMetadata/"):
                return self._metadata()
            return super().do_GET()

        def _metadata(self):
            # The metadata server a Dapla Lab service gets its credentials from (GCE_METADATA_ROOT):
            # pyarrow's own gs:// filesystem (sgis, pd.read_parquet("gs://...")) asks it for a token.
            path = self.path.split("?")[0].rstrip("/")
            answers = {"/token": {"access_token": "stand-in", "expires_in": 3600, "token_type": "Bearer"},
                       "/default": {"email": "default", "aliases": ["default"],
                                    "scopes": ["https://www.googleapis.com/auth/cloud-platform"]},
                       "/project-id": "eksempelteam", "/universe-domain": "googleapis.com"}
            answer = next((a for end, a in answers.items() if path.endswith(end)), None)
            body = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
            self.send_response(404 if answer is None else 200)
            self.send_header("Metadata-Flavor", "Google")
            self.send_header("Content-Type", "text/plain" if isinstance(answer, str) else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle(self):
            # Clients that drop a prefetch connection are normal, not errors.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()
    return Handler
