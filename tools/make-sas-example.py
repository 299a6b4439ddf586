"""Make data/examples/befolkning.sas7bdat: a small SAS file like the old systems on bakken leave.

    .venv/bin/python tools/make-sas-example.py [output]

The figures are the Dapla examples' own (POPULATION_NO in handbook.execute.services: example
figures for teaching, not official statistics), with a label on every variable. The file is
Latin-1 encoded, as older SAS files on bakken often are (the page says so), and readers pass
encoding="latin1".

Neither pandas nor pyreadstat writes sas7bdat. R's haven::write_sas does (deprecated, still in
haven 2.5), but always in UTF-8. So haven writes it, and this script then re-encodes its text in
place: each non-ASCII value and label becomes its Latin-1 bytes padded with spaces to the same
length (SAS pads text with spaces and readers strip them), the header's encoding byte says
Latin-1, and its timestamps are a fixed time. Last, it reads the file back with pandas,
pyreadstat and haven and checks what they see.
"""

from __future__ import annotations

import datetime
import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from handbook.execute.seeds import POPULATION_NO

OUTPUT = Path("data/examples/befolkning.sas7bdat")
LABELS = {
    "kommunenr": "Kommunenummer",
    "kommune": "Kommunenavn",
    "fylke": "Fylke kommunen ligger i",
    "aar": "År",
    "innbyggere": "Innbyggere 1. januar (eksempeltall)",
}
ENCODING_OFFSET = 70                  # the header byte that names the text encoding
SAS_UTF8, SAS_LATIN1 = 20, 29         # its values for UTF-8 and Latin-1 (ISO 8859-1)
# Created and modified, seconds since 1960 as doubles (haven writes the time it ran): set to a
# fixed time, so running the script again makes the same bytes.
TIMESTAMP_OFFSETS = (164, 172)
FIXED_TIME = (datetime.datetime(2024, 1, 1) - datetime.datetime(1960, 1, 1)).total_seconds()

WRITE_R = r"""
args <- commandArgs(trailingOnly = TRUE)
spec <- jsonlite::fromJSON(args[1], simplifyVector = TRUE)
df <- as.data.frame(spec$data, stringsAsFactors = FALSE)
for (name in names(spec$labels)) attr(df[[name]], "label") <- spec$labels[[name]]
suppressWarnings(haven::write_sas(df, args[2]))   # deprecated in haven 2.5.0, still writes
"""


def write_with_haven(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({"data": POPULATION_NO, "labels": LABELS}, ensure_ascii=False),
                        encoding="utf-8")
        script = Path(tmp) / "write.R"
        script.write_text(WRITE_R, encoding="utf-8")
        subprocess.run(["Rscript", str(script), str(spec), str(path)], check=True)


def to_latin1(data: bytes, texts: list[str]) -> bytes:
    """The UTF-8 file with each text's bytes replaced by its space-padded Latin-1 bytes."""
    if data[ENCODING_OFFSET] != SAS_UTF8:
        raise SystemExit(f"expected haven to write UTF-8 (byte {ENCODING_OFFSET} = {SAS_UTF8}), "
                         f"found {data[ENCODING_OFFSET]}")
    out = bytearray(data)
    for text in sorted({t for t in texts if not t.isascii()}):
        utf8, latin1 = text.encode("utf-8"), text.encode("latin1")
        found = data.count(utf8)
        if found == 0:
            raise SystemExit(f"{text!r} is not in the file as UTF-8")
        out = out.replace(utf8, latin1.ljust(len(utf8), b" "))
    out[ENCODING_OFFSET] = SAS_LATIN1
    now = (datetime.datetime.now() - datetime.datetime(1960, 1, 1)).total_seconds()
    for offset in TIMESTAMP_OFFSETS:
        (written,) = struct.unpack_from("<d", out, offset)
        if abs(written - now) > 2 * 86400:
            raise SystemExit(f"no timestamp at byte {offset} (found {written}); has haven changed?")
        struct.pack_into("<d", out, offset, FIXED_TIME)
    return bytes(out)


def check(path: Path) -> None:
    """Read it back as the handbook's samples do, and fail if anything differs."""
    import pandas as pd
    import pyreadstat

    expected = pd.DataFrame(POPULATION_NO)
    df = pd.read_sas(path, format="sas7bdat", encoding="latin1")
    assert list(df["fylke"]) == expected["fylke"].tolist(), df
    assert list(df["innbyggere"]) == expected["innbyggere"].tolist(), df
    df, meta = pyreadstat.read_sas7bdat(str(path), encoding="latin1")
    assert meta.column_names_to_labels == LABELS, meta.column_names_to_labels
    assert df["kommunenr"].tolist() == expected["kommunenr"].tolist(), df
    assert df["fylke"].tolist() == expected["fylke"].tolist(), df
    r = subprocess.run(["Rscript", "-e", "df <- haven::read_sas(commandArgs(TRUE)[1], encoding = 'latin1');"
                        "cat(df$fylke, attr(df$aar, 'label'), sep = '\\n')", str(path)],
                       capture_output=True, text=True, check=True).stdout.split("\n")
    assert r[:5] == expected["fylke"].tolist() and r[5] == LABELS["aar"], r


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else OUTPUT
    with tempfile.TemporaryDirectory() as tmp:
        utf8 = Path(tmp) / "utf8.sas7bdat"
        write_with_haven(utf8)
        texts = [*LABELS.values(), *(v for values in POPULATION_NO.values() for v in values
                                     if isinstance(v, str))]
        output.write_bytes(to_latin1(utf8.read_bytes(), texts))
    check(output)
    print(f"wrote {output} ({output.stat().st_size} bytes), read back with pandas, pyreadstat and haven")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
