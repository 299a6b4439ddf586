"""The map data dapla/kartdata.md reads: seeded GeoParquet that geopandas reads back with the right
CRS and geometry types, from the mount, from gcsfs and from pyarrow's own gs:// filesystem (what
sgis.read_geopandas uses for a partitioned dataset) against the running GCS stand-in."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.execute import registry, seeds, services

gpd = pytest.importorskip("geopandas")

KART = "analyse_data/klargjorte-data/2025"
N5000 = "visualisering_data/klargjorte-data/2025/parquet/N5000_kommune_flate_p2025_v1.parquet"
FILES = {  # file: (geometry types, columns besides geometry)
    f"{KART}/ABAS_kommune_flate_p2025_v1.parquet": ({"Polygon"}, {"kommunenr", "kommune"}),
    N5000: ({"Polygon"}, {"kommunenr", "kommune"}),
    "GIS/testdata/noen_boligbygg_oslo.parquet": ({"Point"}, {"bygg_id"}),
    "GIS/testdata/butikkbygg_oslo.parquet": ({"Point"}, {"butikk"}),
    "GIS/testdata/enkle_kommuner.parquet": ({"Polygon"}, {"kommunenr", "kommune"}),
    "GIS/testdata/veger_oslo.parquet": ({"LineString"}, {"oneway", "drivetime_fw", "drivetime_bw"}),
}


def _seeded(path: str) -> bytes:
    felles = seeds.mount_seed(team="dapla-felles")
    if path.startswith("GIS/"):
        return felles["produkt"][path]
    return felles["shared"][f"areal/kart/{path}"]


@pytest.mark.parametrize("path", sorted(FILES))
def test_seeded_geodata_reads_back_with_its_crs_and_geometry(path):
    frame = gpd.read_parquet(io.BytesIO(_seeded(path)))
    types, columns = FILES[path]
    assert frame.crs.to_epsg() == 25833
    assert set(frame.geom_type) == types
    assert set(frame.columns) - {"geometry"} == columns
    assert len(frame) and frame.is_valid.all()


def test_the_same_data_in_the_buckets_and_the_mount():
    gcs = seeds.gcs_seed()
    mount = seeds.mount_seed(team="dapla-felles")
    assert {f"areal/kart/{k}": v for k, v in gcs["ssb-areal-data-delt-kart-prod"].items()} == mount["shared"]
    assert gcs["ssb-dapla-felles-data-produkt-prod"] == mount["produkt"]
    # eksempelteam's own service shows none of it (other pages list /buckets/ and its produkt)
    default = seeds.mount_seed()
    assert "shared" not in default and not any(k.startswith("GIS/") for k in default["produkt"])


def test_the_generalised_borders_are_simpler_and_inside_the_oslo_test_points():
    exact = gpd.read_parquet(io.BytesIO(_seeded(f"{KART}/ABAS_kommune_flate_p2025_v1.parquet")))
    simple = gpd.read_parquet(io.BytesIO(_seeded("GIS/testdata/enkle_kommuner.parquet")))
    assert (exact.count_coordinates() > simple.count_coordinates()).all()
    homes = gpd.read_parquet(io.BytesIO(_seeded("GIS/testdata/noen_boligbygg_oslo.parquet")))
    joined = homes.sjoin(simple, how="left")
    assert list(joined["kommune"]) == ["Oslo"] * len(homes)


def test_dapla_felles_mount_is_chosen_by_name_only(tmp_path):
    known = registry.registrations()
    assert registry.used('open("/buckets/produkt/x")', None, known) == ("buckets",)
    assert registry.used("x = 1", "gcs buckets-dapla-felles", known) == ("buckets-dapla-felles", "gcs")
    standin = known["buckets-dapla-felles"].factory(None, tmp_path)
    standin.start()
    try:
        folder = standin.exposure().copies["/buckets"]
        testdata = folder / "produkt/GIS/testdata/butikkbygg_oslo.parquet"
        assert gpd.read_parquet(testdata).crs.to_epsg() == 25833
        assert (folder / "shared/areal/kart" / KART / "SSB_arealbruk_flate_p2025_v1.parquet").is_dir()
    finally:
        standin.stop()



def test_a_change_to_the_seeds_changes_the_cache_key_of_the_storage_stand_ins(tmp_path, monkeypatch):
    known = registry.registrations()
    for name in ("gcs", "s3", "buckets", "buckets-dapla-felles"):
        assert Path(seeds.__file__) in known[name].sources, name
    before = registry.fingerprint(known)
    copy = tmp_path / "seeds.py"
    copy.write_bytes(Path(seeds.__file__).read_bytes() + b"\n# a writer's change\n")
    monkeypatch.setattr(seeds, "__file__", str(copy))
    assert registry.fingerprint(registry.registrations()) != before


CLIENT = """
import json, sys
import gcsfs, geopandas as gpd, pyarrow.dataset as ds, pyarrow.parquet as pq
bucket = "ssb-areal-data-delt-kart-prod"
fs = gcsfs.GCSFileSystem()
n5000 = gpd.read_parquet(f"gs://{bucket}/{sys.argv[1]}", filesystem=fs)
# No filesystem given: pyarrow's own GCS client, with the credentials of the metadata server
land = f"gs://{bucket}/{sys.argv[2]}"
schema = pq.read_schema(land + "/kommunenr=0301/data.parquet")
table = ds.dataset(land, partitioning="hive").to_table()
print(json.dumps({"n5000": [n5000.crs.to_epsg(), sorted(set(n5000.geom_type))],
                  "geo": json.loads(schema.metadata[b"geo"])["primary_column"],
                  "rows": table.num_rows,
                  "kommuner": sorted({str(k) for k in table["kommunenr"].to_pylist()})}))
"""


def test_gcsfs_and_pyarrow_read_the_map_bucket_from_the_gcs_stand_in(tmp_path):
    standin = services.GcsStandIn()
    standin.start()
    try:
        standin.reset()
        # The client runs in its own process, as a sample does: pyarrow holds the GIL while it
        # waits, so a client in this process would starve the stand-in's threads.
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **standin.exposure().env}
        done = subprocess.run([sys.executable, "-c", CLIENT,
                               N5000,
                               f"{KART}/SSB_arealbruk_flate_p2025_v1.parquet"],
                              env=env, capture_output=True, text=True, timeout=180, check=False)
    finally:
        standin.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["n5000"] == [25833, ["Polygon"]]
    assert found["geo"] == "geometry"
    # four quarters per municipality; hive partitioning reads 0301 as a number
    assert found["rows"] == 20 and found["kommuner"] == ["1103", "1108", "301", "4601", "5001"]
