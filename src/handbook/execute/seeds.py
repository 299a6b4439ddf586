"""The data the storage stand-ins (services.py) are seeded with: Dapla's buckets for a team
called eksempelteam, what a Dapla Lab service shows under /buckets/, the map data of
dapla/kartdata.md and a BALSAM project's MinIO bucket. These functions belong to the content
writers; every change to this file changes the cache key of the sessions that use the stand-ins.
"""

from __future__ import annotations

import functools
import io


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
        "ssb-eksempelteam-data-kilde-prod": dict(team["kilde"]),
        "ssb-eksempelteam-data-kilde-frasky-prod": {},
        "ssb-eksempelteam-data-kilde-tilsky-prod": {},
        "ssb-eksempelteam-data-produkt-prod": dict(team["produkt"]),
        "ssb-eksempelteam-data-frasky-prod": dict(team["frasky"]),
        "ssb-eksempelteam-data-tilsky-prod": dict(team["tilsky"]),
        "ssb-eksempelteam-data-delt-befolkning-prod": dict(team["delt-befolkning"]),
        # The test environment has its own kilde and produkt buckets (no frasky/tilsky).
        "ssb-eksempelteam-data-kilde-test": dict(team["kilde"]),
        "ssb-eksempelteam-data-produkt-test": dict(team["produkt"]),
        # Dapla Felles: everyone in SSB is a developer there.
        "ssb-dapla-felles-data-produkt-prod": _dapla_felles_produkt(team),
        # The map data team areal shares with all of SSB (dapla/kartdata.md).
        "ssb-areal-data-delt-kart-prod": dict(_geodata()["kart"]),
    }
    return seed


def mount_seed(group: str = "developers", team: str = "eksempelteam") -> dict[str, dict[str, bytes]]:
    """What a Dapla Lab service started as eksempelteam in prod shows under /buckets/.

    {folder under /buckets: {path inside it: bytes}}; an empty dict is an empty folder.
    The team's own buckets appear by short name (produkt, frasky, tilsky), its shared
    buckets as delt-<short name>. A service started with the developers group (the usual
    case, and what the handbook's examples assume) has no kilde folder; one started with
    data-admins and activated access also has kilde.

    team="dapla-felles": a service started with dapla-felles-developers that has the map bucket
    of team areal (short name kart) added; other teams' shared buckets appear as shared/<team>/<name>.
    """
    if team == "dapla-felles":
        kart = {f"areal/kart/{key}": data for key, data in _geodata()["kart"].items()}
        return {"produkt": _dapla_felles_produkt(_eksempelteam()), "shared": kart}
    team = _eksempelteam()
    names = ["produkt", "frasky", "tilsky", "delt-befolkning"]
    if group == "data-admins":
        names.append("kilde")
    return {name: dict(team[name]) for name in names}


@functools.cache  # every session that uses a storage stand-in is seeded again; the data once
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


def _dapla_felles_produkt(team: dict) -> dict[str, bytes]:
    return {"befolkning/klargjorte-data/befolkning_p2024_v1.parquet": team["people.parquet"],
            **{f"GIS/testdata/{name}": data for name, data in _geodata()["testdata"].items()}}


@functools.cache  # gcs_seed() runs before every session; the map data are made once a build
def _geodata() -> dict[str, dict[str, bytes]]:
    """Synthetic GeoParquet in EPSG:25833 under the names dapla/kartdata.md gives. Made up for
    teaching: squares near five real towns (not their borders), a toy road grid in central Oslo,
    and buildings at the page's made-up points. {"kart": {path: bytes}, "testdata": {file: bytes}}"""
    import geopandas as gpd  # only when seeding: importing it costs a build a second or more
    from shapely import LineString, Point, Polygon, box

    def frame(rows: dict, geometry: list):
        return gpd.GeoDataFrame(rows, geometry=geometry, crs=25833)

    def square(x: int, y: int, half: int = 5000) -> Polygon:
        # edges with a 100 m zigzag every kilometre: the "exact" borders the generalised ones simplify
        corners = [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)]
        ring = []
        for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
            steps = 2 * half // 1000
            ring += [(x0 + (x1 - x0) * i / steps + (i % 2) * 100 * (y1 - y0) / (2 * half),
                      y0 + (y1 - y0) * i / steps - (i % 2) * 100 * (x1 - x0) / (2 * half))
                     for i in range(steps)]
        return Polygon(ring)

    # Rough town centres; the squares are not the municipalities' borders or areas.
    centres = {"0301": ("Oslo", 262000, 6652000), "4601": ("Bergen", -32000, 6734000),
               "5001": ("Trondheim", 270000, 7042000), "1103": ("Stavanger", -32000, 6574000),
               "1108": ("Sandnes", -33000, 6560000)}
    exact = frame({"kommunenr": list(centres), "kommune": [c[0] for c in centres.values()]},
                  [square(x, y) for _, x, y in centres.values()])
    simple = exact.set_geometry(exact.simplify(500))
    # Land use as four quarters of each square: one partition (file) per municipality.
    land = frame({"kommunenr": [nr for nr in centres for _ in range(4)]},
                 [box(x + dx, y + dy, x + dx + 5000, y + dy + 5000) for _, x, y in centres.values()
                  for dx in (-5000, 0) for dy in (-5000, 0)])
    kart = {"analyse_data/klargjorte-data/2025/ABAS_kommune_flate_p2025_v1.parquet": _parquet(exact),
            "visualisering_data/klargjorte-data/2025/parquet/N5000_kommune_flate_p2025_v1.parquet":
                _parquet(simple)}
    for nr, part in land.groupby("kommunenr"):
        kart[f"analyse_data/klargjorte-data/2025/SSB_arealbruk_flate_p2025_v1.parquet/kommunenr={nr}"
             "/data.parquet"] = _parquet(part.drop(columns="kommunenr"))

    homes = [(263002, 6650376), (260574, 6651325), (263716, 6649537)]
    shops = {"Sentrum": (262574, 6649130), "Majorstuen": (260300, 6651600), "Grünerløkka": (263100, 6650600)}
    # A 500 m grid of roads in both directions at 30 km/h (one row one-way east at 50 km/h), and
    # one road that joins nothing, for get_connected_components to find.
    lines, oneway, fw, bw = [], [], [], []
    for x in range(260000, 264001, 500):
        for y in range(6649000, 6652001, 500):
            for dx, dy in ((500, 0), (0, 500)):
                if x + dx <= 264000 and y + dy <= 6652000:
                    fast = dy == 0 and y == 6650500
                    lines.append(LineString([(x, y), (x + dx, y + dy)]))
                    oneway.append("FT" if fast else "B")
                    fw.append(0.5 / (50 if fast else 30) * 60)
                    bw.append(-1.0 if fast else 0.5 / 30 * 60)
    lines.append(LineString([(270000, 6660000), (270500, 6660000)]))
    oneway, fw, bw = [*oneway, "B"], [*fw, 1.0], [*bw, 1.0]
    testdata = {
        "noen_boligbygg_oslo.parquet": _parquet(frame({"bygg_id": [1, 2, 3]}, [Point(p) for p in homes])),
        "butikkbygg_oslo.parquet": _parquet(frame({"butikk": list(shops)}, list(map(Point, shops.values())))),
        "enkle_kommuner.parquet": _parquet(simple),
        "veger_oslo.parquet": _parquet(frame({"oneway": oneway, "drivetime_fw": fw, "drivetime_bw": bw},
                                             lines)),
    }
    return {"kart": kart, "testdata": testdata}


def s3_seed() -> dict[str, dict[str, bytes]]:
    """A BALSAM project's bucket in MinIO."""
    return {"exempelprojekt": dict(_exempelprojekt())}


@functools.cache
def _exempelprojekt() -> dict[str, bytes]:
    import pandas as pd

    people = pd.DataFrame(POPULATION_SE)
    return {"main/indata/befolkning_2024.csv": people.to_csv(index=False).encode(),
            "main/indata/befolkning_2024.parquet": _parquet(people)}


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
