"""Issue 16's cases: the research assistant and rollup-served semantic queries, at c=1."""

import http.client
import json
import statistics
import time
from urllib.parse import urlsplit

RESEARCH_QUESTIONS = (
    "How many negative email interactions did Red customers have about drug efficacy in 2020?",
    "Which product was discussed most with Blue customers in Q1 2021?",
    "What are the top 3 topics in 2022?",
    "Compare email vs call interactions in 2021",
    "Monthly interactions in 2020",
    "What share of Red customers' interactions were negative in 2023?",
    "Which channel did Orange customers use least between 2020-01-01 and 2020-06-30?",
    "How many phone calls in the last 6 months?",
)
# Served from the rollups: the daily product x type one, and the monthly one (whole months).
ROLLUP_QUERIES = (
    {"dimensions": ["product"], "time": {"from": "2020-01-01", "to": "2020-12-31"},
     "filters": [{"dimension": "customer_type", "op": "equals", "values": ["Red"]}]},
    {"dimensions": ["channel"], "time": {"granularity": "quarter", "from": "2021-01-01",
     "to": "2021-12-31"}, "filters": [{"dimension": "sentiment", "values": ["Negative"]}]},
)  # fmt: skip


def timed_post(connection: http.client.HTTPConnection, path: str, body: dict, key: str) -> float:
    """POST a JSON body on a keep-alive connection, as wrk would; return the latency in ms.

    urllib opened a connection per request and added 0.5 to 1.3 ms of client work to every
    figure (measured against the same server); the GET cases' driver keeps its connection.
    """
    start = time.perf_counter()
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    connection.request("POST", path, json.dumps(body).encode(), headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, path
    return (time.perf_counter() - start) * 1000


def research_cases(base: str, key: str, n: int) -> dict:
    """POST /research (mock) and rollup-served POST /query, c=1, after one warm-up each."""
    questions = [{"question": RESEARCH_QUESTIONS[i % len(RESEARCH_QUESTIONS)]} for i in range(n)]
    cases = {
        "research (mock, c=1)": ("/api/v1/research", questions),
        "query, daily rollup (c=1)": ("/api/v1/query", [ROLLUP_QUERIES[0]] * n),
        "query, monthly rollup (c=1)": ("/api/v1/query", [ROLLUP_QUERIES[1]] * n),
    }
    parts = urlsplit(base)
    results = {}
    for name, (path, bodies) in cases.items():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        for body in bodies[: len(RESEARCH_QUESTIONS)]:  # warm pools and caches
            timed_post(connection, path, body, key)
        latencies = sorted(timed_post(connection, path, body, key) for body in bodies)
        connection.close()
        results[name] = {
            "requests": len(latencies),
            "concurrency": 1,
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        }
    return results
