"""PySpark in the sandbox: a local Spark job runs with the `spark` stand-in and the default limits,
quietly, while the network namespace still keeps the JVM (and Python) on loopback."""

from __future__ import annotations

import importlib.util
import shutil

import pytest
from test_sandbox import ISOLATION, Listener, non_loopback_address

from handbook.execute import registry
from handbook.execute.limits import Limits
from handbook.execute.sandbox import Job, run
from handbook.execute.standins import spark

pytestmark = [
    pytest.mark.skipif(not ISOLATION.available, reason=f"no sandbox here: {ISOLATION.problem}"),
    pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime here"),
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="PySpark is not installed"),
]

START = """\
from pyspark.sql import SparkSession, functions as F

spark = SparkSession.builder.master("local[1]").appName("test").getOrCreate()
rows = [("Oslo", 717710), ("Rogaland", 149048), ("Rogaland", 83496)]
df = spark.createDataFrame(rows, ["fylke", "innbyggere"])
for row in df.groupBy("fylke").agg(F.sum("innbyggere").alias("sum")).orderBy("fylke").collect():
    print(row["fylke"], row["sum"])
print("driver", spark.conf.get("spark.driver.host"))
"""

# From the running JVM itself: which interfaces it sees, and a connection to an address outside.
REACH = """\
jvm = spark.sparkContext._jvm
names = sorted(i.getName() for i in jvm.java.util.Collections.list(jvm.java.net.NetworkInterface
                                                                  .getNetworkInterfaces()))
print("interfaces", names)
host, port = {address!r}, {port}
try:
    jvm.java.net.Socket().connect(jvm.java.net.InetSocketAddress(host, port), 3000)
    print("CONNECTED from the JVM")
except Exception as exc:
    print("jvm blocked", type(exc).__name__)
import socket
try:
    socket.create_connection((host, port), timeout=3)
    print("CONNECTED from Python")
except OSError:
    print("python blocked")
spark.stop()
"""


def _job(tmp_path, address: str, port: int):
    standin = spark.SparkStandIn(None, tmp_path)
    standin.start()
    try:
        return run(ISOLATION, Limits(), Job(
            "python", {"000.py": START.encode(), "001.py": REACH.format(address=address, port=port).encode()},
            [300.0, 60.0], exposures=[standin.exposure()]))
    finally:
        standin.stop()


def test_local_spark_job_runs_and_network_stays_loopback(tmp_path):
    address = non_loopback_address()
    listener = Listener(address) if address else None
    try:
        raw = _job(tmp_path, address or "192.0.2.1", listener.port if listener else 9)
    finally:
        if listener is not None:
            listener.close()
    assert raw.ok, (raw.error, raw.outputs[-1]["stderr"][-3000:] if raw.outputs else "")
    first, second = raw.outputs[0], raw.outputs[1]
    assert first["stdout"] == "Oslo 717710\nRogaland 232544\ndriver localhost\n"
    assert second["stdout"] == "interfaces ['lo']\njvm blocked Py4JJavaError\npython blocked\n"
    if listener is not None:
        assert listener.connections == 0
    # Spark's log noise stays out: no INFO/WARN lines, no progress bar, no "Setting default log level".
    stderr = first["stderr"] + second["stderr"]
    for noise in (" INFO ", " WARN ", "log level", "[Stage ", "log4j"):
        assert noise not in stderr, stderr


def test_spark_is_found_by_marker_and_by_name():
    known = registry.registrations()
    assert registry.used("from pyspark.sql import SparkSession\n", None, known) == ("spark",)
    assert registry.used("spark.read.parquet('/buckets/x')", "buckets spark", known) == ("buckets", "spark")


def test_conf_folder_quiets_spark(tmp_path):
    folder = spark.write_conf(tmp_path / "conf")
    defaults = dict(line.split(" ", 1) for line in (folder / "spark-defaults.conf").read_text().splitlines())
    assert defaults["spark.ui.showConsoleProgress"] == "false"
    assert "rootLogger.level = error" in (folder / "log4j2.properties").read_text()


def test_without_java_the_stand_in_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(registry.StandInUnavailable, match="Spark needs Java"):
        spark.SparkStandIn(None, tmp_path).start()


def test_every_session_without_java_is_told_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    running = registry.RunningStandIns(None, registry.registrations())
    try:
        for _ in range(2):   # the second session too: not a leftover folder of the first attempt
            with pytest.raises(registry.StandInUnavailable, match="Spark needs Java"), \
                    running.session(("spark",)):
                pass
    finally:
        running.close()
