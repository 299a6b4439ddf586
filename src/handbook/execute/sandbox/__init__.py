"""The sandbox every code sample session and notebook kernel runs in.

To run something sandboxed:

    from handbook.execute.limits import Limits
    from handbook.execute.sandbox import Isolation, Job, run

    isolation = Isolation.detect(unsafe=False)      # once per build; .available, .problem
    result = run(isolation, Limits(), Job(
        driver="python",                             # "python" | "bash" | "r" | "notebook"
        inputs={"000.py": b"print(1)\\n"},           # blocks (NNN.<ext>) or notebook.ipynb + job.json
        timeouts=[60.0],                             # per block or cell
        data_files={"x.csv": Path("data/x.csv")},    # copied into the working folder
        exposures=[standin.exposure()],              # stand-ins the job reaches
    ))
    result.ok, result.outputs[0]["stdout"], result.error, result.limit

`run` raises SandboxUnavailable when isolation is unavailable. See bwrap.py for what a session
sees, run.py for the driver protocol and the caps, isolation.py for `--unsafe-no-sandbox`.
"""

from handbook.execute.sandbox.isolation import UNSAFE_ENV, Isolation, SandboxUnavailable
from handbook.execute.sandbox.run import Job, RawResult, reap_stale_temp, run

__all__ = ["UNSAFE_ENV", "Isolation", "Job", "RawResult", "SandboxUnavailable", "reap_stale_temp", "run"]
