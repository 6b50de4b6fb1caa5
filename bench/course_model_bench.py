"""Course-model figures over loopback, through the openai client and raw httpx.

Prints p50/p99 latency of plain completions, time to first streamed token,
requests per second under concurrency, and embedding throughput. The server
runs in its own process (as ``aieng serve`` does), so client and server do not
share a GIL. Run with ``make bench`` or ``python bench/course_model_bench.py``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time

import httpx
import openai

from aieng.llm.course_model.server import free_port, is_course_model

MESSAGES = [
    {"role": "system", "content": "You are a concise assistant for Fernhill Robotics."},
    {"role": "user", "content": "Hello! Can you tell me what you can help with today?"},
]
EMBED_TEXTS = [
    f"Warehouse robot {i} reported a battery fault in aisle {i % 17}." for i in range(512)
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-m", "aieng.llm.course_model", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not is_course_model(url, timeout=0.5):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("course model did not start")
        time.sleep(0.1)
    return process, url


def latency_openai(url: str, n: int) -> list[float]:
    client = openai.OpenAI(base_url=url + "/v1", api_key="course", max_retries=0)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.chat.completions.create(model="course-mini", messages=MESSAGES, temperature=0)
        times.append(time.perf_counter() - start)
    return times


def latency_httpx(url: str, n: int) -> list[float]:
    body = {"model": "course-mini", "messages": MESSAGES, "temperature": 0}
    times = []
    with httpx.Client(base_url=url) as http:
        for _ in range(n):
            start = time.perf_counter()
            http.post("/v1/chat/completions", json=body).raise_for_status()
            times.append(time.perf_counter() - start)
    return times


def ttft_openai(url: str, n: int) -> list[float]:
    client = openai.OpenAI(base_url=url + "/v1", api_key="course", max_retries=0)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        stream = client.chat.completions.create(
            model="course-mini", messages=MESSAGES, temperature=0, stream=True
        )
        first = None
        for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - start
        times.append(first if first is not None else time.perf_counter() - start)
    return times


def ttft_httpx(url: str, n: int) -> list[float]:
    body = {"model": "course-mini", "messages": MESSAGES, "temperature": 0, "stream": True}
    times = []
    with httpx.Client(base_url=url) as http:
        for _ in range(n):
            start = time.perf_counter()
            first = None
            with http.stream("POST", "/v1/chat/completions", json=body) as response:
                for line in response.iter_lines():
                    if first is None and '"content":"' in line and '"content":""' not in line:
                        first = time.perf_counter() - start
            times.append(first if first is not None else time.perf_counter() - start)
    return times


async def _rps_httpx(url: str, total: int, concurrency: int) -> float:
    body = {"model": "course-mini", "messages": MESSAGES, "temperature": 0}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits) as http:
        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                (await http.post("/v1/chat/completions", json=body)).raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - start)


async def _rps_openai(url: str, total: int, concurrency: int) -> float:
    client = openai.AsyncOpenAI(base_url=url + "/v1", api_key="course", max_retries=0)
    queue = iter(range(total))

    async def worker() -> None:
        for _ in queue:
            await client.chat.completions.create(
                model="course-mini", messages=MESSAGES, temperature=0
            )

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    rate = total / (time.perf_counter() - start)
    await client.close()
    return rate


def embedding_throughput(url: str) -> tuple[float, float]:
    client = openai.OpenAI(base_url=url + "/v1", api_key="course", max_retries=0, timeout=120)
    client.embeddings.create(model="course-embed", input=EMBED_TEXTS[:8])  # load the model
    start = time.perf_counter()
    for i in range(0, len(EMBED_TEXTS), 64):
        client.embeddings.create(model="course-embed", input=EMBED_TEXTS[i : i + 64])
    batched = len(EMBED_TEXTS) / (time.perf_counter() - start)
    start = time.perf_counter()
    for text in EMBED_TEXTS[:64]:
        client.embeddings.create(model="course-embed", input=text)
    single = 64 / (time.perf_counter() - start)
    return batched, single


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.2f} ms"


def main(quick: bool = False) -> int:
    n = 100 if quick else 500
    process, url = start_server()
    try:
        for fn in (latency_openai, latency_httpx):  # warm up both paths
            fn(url, 20)
        print(f"course model at {url}, {n} sequential requests per figure, {os.cpu_count()} cores")
        print(f"{'figure':38} {'openai client':>14} {'raw httpx':>12}")
        lo, lh = latency_openai(url, n), latency_httpx(url, n)
        print(
            f"{'plain completion p50':38} {ms(statistics.median(lo)):>14} {ms(statistics.median(lh)):>12}"
        )
        print(
            f"{'plain completion p99':38} {ms(percentile(lo, 99)):>14} {ms(percentile(lh, 99)):>12}"
        )
        to, th = ttft_openai(url, n // 2), ttft_httpx(url, n // 2)
        print(
            f"{'time to first token p50':38} {ms(statistics.median(to)):>14} {ms(statistics.median(th)):>12}"
        )
        total = 500 if quick else 2000
        ro = asyncio.run(_rps_openai(url, total, 16))
        rh = asyncio.run(_rps_httpx(url, total, 16))
        print(f"{'requests/s (16 concurrent)':38} {ro:14.0f} {rh:12.0f}")
        batched, single = embedding_throughput(url)
        print(f"{'embeddings/s (batches of 64)':38} {batched:14.0f}")
        print(f"{'embeddings/s (one per request)':38} {single:14.0f}")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main("--quick" in sys.argv))
