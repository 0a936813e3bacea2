"""maximize from Python with only the standard library (http.client): one message, then the same streamed.

Tested: test/docs/examples.e2e.test.ts runs this file with python3 against a real maximize.

    python3 stdlib.py

MAXIMIZE_URL defaults to http://127.0.0.1:8081. The API key: any value, or one of your proxy API keys if you
configured them (MAXIMIZE_API_KEY); maximize never sends it upstream.
"""

import http.client
import json
import os
import sys
from urllib.parse import urlsplit

URL = urlsplit(os.environ.get("MAXIMIZE_URL", "http://127.0.0.1:8081"))
KEY = os.environ.get("MAXIMIZE_API_KEY", "unused")


def post(body):
    """POSTs to /v1/messages; returns the open response (the caller reads it)."""
    conn = http.client.HTTPConnection(URL.hostname, URL.port or 80, timeout=600)
    headers = {"content-type": "application/json", "x-api-key": KEY, "anthropic-version": "2023-06-01"}
    conn.request("POST", "/v1/messages", json.dumps(body), headers)
    response = conn.getresponse()
    if response.status != 200:
        sys.exit(f"maximize answered {response.status}: {response.read().decode()}")
    return response


# "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
message = json.load(post({"model": "l", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hello from Python"}]}))
print("".join(block["text"] for block in message["content"] if block["type"] == "text"))

# Streamed: server-sent events; the text arrives in content_block_delta events.
stream = post(
    {"model": "l", "max_tokens": 1024, "stream": True, "messages": [{"role": "user", "content": "Hello from Python, streamed"}]}
)
for raw in stream:
    line = raw.decode().strip()
    if not line.startswith("data: "):
        continue
    event = json.loads(line[len("data: ") :])
    if event["type"] == "content_block_delta" and event["delta"]["type"] == "text_delta":
        print(event["delta"]["text"], end="", flush=True)
    elif event["type"] == "error":
        sys.exit(f"the stream ended with an error: {event['error']}")
print()
