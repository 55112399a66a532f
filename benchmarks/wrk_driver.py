"""Drive the c=32 cases with wrk when it is installed: a C client leaves the server its CPU.

The Python driver (benchmarks/load_driver.py) needs 4 processes of 8 threads to keep 32
requests in flight, and on a 2-core machine they take much of the CPU the server under
test would use, which lowers every ratio to hello-world. wrk does the same work in two
threads of C. A small Lua script sends the headers, rotates through the case's paths
(each connection starting at its own offset) and counts non-2xx answers by status in
wrk's response hook, so the report names failures as the Python driver does.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

THREADS, CONNECTIONS = 2, 32
# wrk counts an answer slower than its 2 s default as a timeout; the Python driver waits
# 120 s, and a slow case (generate-content at c=32) is slow, not failed.
TIMEOUT_S = 120
_MARK = "WRK-RESULT "

_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  position = id
  failures = {}
end

function request()
  position = position %% #paths + 1
  return wrk.format("GET", paths[position], headers)
end

function response(status, response_headers, body)
  if status < 200 or status > 299 then
    local kind = tostring(status)
    failures[kind] = (failures[kind] or 0) + 1
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for kind, n in pairs(thread:get("failures")) do
      merged[kind] = (merged[kind] or 0) + n
    end
  end
  local kinds = {}
  for kind, n in pairs(merged) do
    table.insert(kinds, string.format("%%q: %%d", kind, n))
  end
  for _, kind in ipairs({"connect", "read", "write", "timeout"}) do
    if summary.errors[kind] > 0 then
      table.insert(kinds, string.format("\\"socket %%s\\": %%d", kind, summary.errors[kind]))
    end
  end
  io.write(string.format(
    "%(mark)s{\\"requests\\": %%d, \\"duration_us\\": %%d, \\"kinds\\": {%%s}}\\n",
    summary.requests, summary.duration, table.concat(kinds, ", ")))
end
"""


def available() -> bool:
    """Return whether wrk is on PATH (Debian: ``apt-get install -y wrk``)."""
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    # JSON's escapes are valid Lua for the ASCII text of paths and header values.
    return json.dumps(text, ensure_ascii=True)


def script(paths: list[str], headers: dict[str, str]) -> str:
    """Return the Lua script that sends ``paths`` in turn with ``headers``."""
    return _SCRIPT % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "headers": ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()),
        "mark": _MARK,
    }


def throughput(base: str, paths: list[str], headers: dict, seconds: float = 5.0) -> dict:
    """Keep 32 requests in flight for ``seconds`` with wrk; return requests/s and failures."""
    with tempfile.TemporaryDirectory(prefix="wrk-") as folder:
        lua = Path(folder) / "case.lua"
        lua.write_text(script(paths, headers))
        command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds:g}s"]
        command += ["--timeout", f"{TIMEOUT_S}s", "-s", str(lua), base + paths[0]]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith(_MARK))
    result = json.loads(line[len(_MARK) :])
    kinds = dict(result["kinds"])
    return {
        "c32_req_s": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "c32_requests": result["requests"],
        "c32_failures": sum(kinds.values()),
        "c32_driver": "wrk",
        **({"c32_failure_kinds": kinds} if kinds else {}),
    }
