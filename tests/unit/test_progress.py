"""Progress of long commands when stderr is not a terminal (logs, CI, containers)."""

import time

from api.commands.progress import stage_progress


def test_a_long_stage_is_named_every_heartbeat(capsys):
    with stage_progress("ingesting", ("read", "load"), heartbeat_s=0.05) as on_stage:
        on_stage("read")
        on_stage("load: merge, build indexes")
        time.sleep(0.3)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("ingesting: load: merge, build indexes (") for line in lines)


def test_work_shorter_than_a_heartbeat_prints_nothing(capsys):
    with stage_progress("ingesting", ("read",), heartbeat_s=5) as on_stage:
        on_stage("read")
    assert capsys.readouterr().err == ""
