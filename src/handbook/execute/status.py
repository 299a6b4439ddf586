"""What happened to each executable block of a page in this build, for the marker readers see
under it ("Ran at build on <date>" / "Not run: <reason>") and the output shown with it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BlockStatus:
    ran: datetime.date | None = None     # when it ran (a cache hit: when the cached run was made)
    reason: str = ""                     # not run: the fence's skip= text, if it has one
    missing: tuple[str, ...] = ()        # not run: requires= packages that are not installed
    no_r: bool = False                   # not run: an R block where R is missing
    output: str = ""                     # what a show-output block printed
    shown: bool = False                  # the block has show-output
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def executed(self) -> bool:
        return self.ran is not None


def page_statuses(runner, source: Path) -> dict[int, BlockStatus]:
    """Fence line -> status for the blocks of one page that ran or were skipped on purpose.
    Blocks that failed, or did not run for want of a sandbox or a stand-in, are left out: the
    build reports those as problems."""
    try:
        scan = runner.scan(source)
    except (OSError, UnicodeDecodeError):
        return {}
    statuses: dict[int, BlockStatus] = {}
    for session in scan.sessions:
        result = runner.results.get(session.key)
        if result is None or not result.ok:
            continue
        ran = _date(result.ran)
        for i, block in enumerate(session.blocks):
            out = result.outputs[i]["stdout"] if i < len(result.outputs) else ""
            statuses[block.start] = BlockStatus(ran=ran, output=out, shown=block.show_output)
    for block in scan.skipped:
        requirements = runner.requirements
        statuses[block.start] = BlockStatus(
            reason=block.skip_reason or "", no_r=not block.skip_reason and requirements.r_missing(block),
            missing=() if block.skip_reason else tuple(requirements.missing_packages(block)))
    return statuses


def _date(iso: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(iso)
    except ValueError:  # a result cached before dates were kept: it is valid for this build
        return datetime.date.today()
