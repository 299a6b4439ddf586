"""Spark as in Dapla Lab's Jupyter-PySpark service: PySpark in local mode on a Java runtime.

Not a server: what a session gets is the environment the service gives its notebooks (JAVA_HOME,
a Spark configuration folder), so `SparkSession.builder ... .getOrCreate()` runs as a page shows
it. PySpark starts its own JVM inside the sandbox; it binds and connects on loopback only
(SPARK_LOCAL_IP), which is all the sandbox's network namespace has.

The configuration folder (SPARK_CONF_DIR) holds what a build wants and a reader never sees:
log4j at ERROR, no console progress bar and no web UI (nothing can open it), and JVM options
that start a short-lived driver faster with fewer threads. Settings a sample gives with
`.config(...)` take precedence over it, as on the service.

`services="spark"`, or any code that mentions pyspark, asks for it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from handbook.execute.standins import Exposure

CONF_DIR = "/opt/spark-conf"      # inside the sandbox

LOG4J = """\
# Only errors: Spark's INFO and WARN lines would bury the output of a code sample.
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
# PySpark's gateway counts as an interpreter: without its own level Spark sets the root level to
# WARN and says so on stderr.
logger.pyspark.name = org.apache.spark.api.python.PythonGatewayServer
logger.pyspark.level = error
"""

# The driver is short-lived and small: the C1 compiler only (faster start, less CPU) and the
# serial collector (one GC thread instead of one per core).
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true"
DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.defaultJavaOptions": JAVA_OPTIONS,
}


class UnavailableError(RuntimeError):
    """No Java runtime on this machine."""


def java_home() -> Path:
    """The Java runtime `java` on PATH belongs to (Debian: /usr/lib/jvm/java-17-openjdk-amd64)."""
    if (home := os.environ.get("JAVA_HOME")) and (Path(home) / "bin" / "java").is_file():
        return Path(home).resolve()
    java = shutil.which("java")
    if java is None:
        raise UnavailableError("Spark needs Java, and `java` is not installed here "
                               "(Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless)")
    return Path(java).resolve().parents[1]


def write_conf(folder: Path) -> Path:
    """A Spark configuration folder: log4j2.properties and spark-defaults.conf."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "log4j2.properties").write_text(LOG4J)
    (folder / "spark-defaults.conf").write_text("".join(f"{k} {v}\n" for k, v in DEFAULTS.items()))
    return folder


class SparkStandIn:
    name = "spark"
    markers = ("pyspark",)

    def __init__(self, project=None, workdir: Path | None = None):
        if workdir is None:
            raise ValueError("the spark stand-in needs a working folder")
        self.folder = workdir / "conf"
        self.home: Path | None = None

    def start(self) -> None:
        if self.home is not None:
            return
        try:
            home = java_home()
        except UnavailableError as exc:
            from handbook.execute.registry import StandInUnavailable
            raise StandInUnavailable(f"stand-in spark: {exc}") from None
        write_conf(self.folder)
        self.home = home

    def reset(self) -> None:
        """Nothing to do: Spark keeps nothing between sessions (its files go to the session's /tmp)."""

    def exposure(self) -> Exposure:
        files = {CONF_DIR: self.folder}
        if not self.home.is_relative_to("/usr"):     # a JDK outside /usr (JAVA_HOME=/opt/...)
            files[str(self.home)] = self.home
        return Exposure(files=files, env={
            "JAVA_HOME": str(self.home),
            "SPARK_CONF_DIR": CONF_DIR,
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOCAL_HOSTNAME": "localhost",
        })

    def stop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


STANDINS = [SparkStandIn]
