"""`dapla-lab`: what a service in Dapla Lab has set up before the reader types anything.

`ssb-project` checks that it runs where SSB supports it, and that git is set up as SSB
recommends there, before it creates or builds a project; on anything else it asks whether to
fix the setup and waits for an answer. A session with `services="dapla-lab"` gets

- `DAPLA_REGION=DAPLA_LAB`, the variable kvakk-git-tools (which ssb-project uses) reads to know
  it runs in Dapla Lab;
- a writable `~/.gitconfig`: kvakk-git-tools' recommended git setup for Dapla Lab, read from the
  installed package so it always matches what ssb-project checks against, with the example
  user's name and e-mail (the name and e-mail a reader gives under "Min konto" -> "Git").

No server: nothing to start or reset, every session gets its own copy of the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from handbook.execute.sandbox.bwrap import HOME
from handbook.execute.standins import Exposure
from handbook.execute.standins.base import StandInError

USER = ("Kari Nordmann", "kno@ssb.no")   # the same example user as the git stand-in's GitHub login
RECOMMENDED = ("kvakk_git_tools", "recommended/gitconfig-dapla-lab")
ENV = {"DAPLA_REGION": "DAPLA_LAB"}


def gitconfig(name: str = USER[0], email: str = USER[1]) -> str:
    """The recommended ~/.gitconfig for Dapla Lab with a user's name and e-mail."""
    from importlib.resources import files

    package, resource = RECOMMENDED
    try:
        base = files(package).joinpath(resource).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as exc:
        raise StandInError(f"the dapla-lab stand-in needs kvakk-git-tools' {resource}: {exc}") from exc
    return base.rstrip("\n") + f"\n[user]\n\tname = {name}\n\temail = {email}\n"


class DaplaLab:
    name = "dapla-lab"
    markers: tuple[str, ...] = ()   # asked for with services="dapla-lab", never guessed

    def __init__(self, project=None, workdir: Path | None = None):
        if workdir is None:
            raise ValueError("the dapla-lab stand-in needs a working folder")
        self.folder = Path(workdir) / "dapla-lab"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "gitconfig").write_text(gitconfig(), encoding="utf-8")

    def reset(self) -> None:
        """Nothing to do: sessions get a copy of the file, never the file itself."""

    def exposure(self) -> Exposure:
        return Exposure(env=dict(ENV), copies={f"{HOME}/.gitconfig": self.folder / "gitconfig"})

    def stop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


STANDINS = [DaplaLab]
