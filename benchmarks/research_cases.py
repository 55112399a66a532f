"""Issue 16's cases: the research assistant and rollup-served semantic queries, at c=1."""

import json
import statistics
import time
import urllib.request

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


def timed_post(url_and_body: tuple[str, dict], key: str) -> float:
    """POST a JSON body; return the latency in ms."""
    url, body = url_and_body
    start = time.perf_counter()
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:  # nosec B310 # http://127.0.0.1, a port this benchmark chose
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - start) * 1000


def research_cases(base: str, key: str, n: int) -> dict:
    """POST /research (mock) and rollup-served POST /query, c=1, after one warm-up each."""
    cases = {
        "research (mock, c=1)": [
            (
                f"{base}/api/v1/research",
                {"question": RESEARCH_QUESTIONS[i % len(RESEARCH_QUESTIONS)]},
            )
            for i in range(n)
        ],
        "query, daily rollup (c=1)": [(f"{base}/api/v1/query", ROLLUP_QUERIES[0])] * n,
        "query, monthly rollup (c=1)": [(f"{base}/api/v1/query", ROLLUP_QUERIES[1])] * n,
    }
    results = {}
    for name, requests in cases.items():
        for request in requests[: len(RESEARCH_QUESTIONS)]:  # warm pools and caches
            timed_post(request, key)
        latencies = sorted(timed_post(request, key) for request in requests)
        results[name] = {
            "requests": len(latencies),
            "concurrency": 1,
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        }
    return results
