"""maximize with the Anthropic Python SDK: one message, then the same streamed.

UNTESTED here: the `anthropic` package is not installed where maximize's tests run, so the test suite only
compiles this file (python3 -m py_compile). The TypeScript version (typescript/anthropic.ts) is run by the tests.

    pip install anthropic
    python3 anthropic_sdk.py

MAXIMIZE_URL defaults to http://127.0.0.1:8081 (no /v1: the SDK adds it). The API key: any value, or one of your
proxy API keys if you configured them; maximize never sends it upstream.
"""

import os

import anthropic

client = anthropic.Anthropic(
    base_url=os.environ.get("MAXIMIZE_URL", "http://127.0.0.1:8081"),
    api_key=os.environ.get("MAXIMIZE_API_KEY", "unused"),
)

# "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
message = client.messages.create(
    model="l",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Hello from Python"}],
)
print("".join(block.text for block in message.content if block.type == "text"))

with client.messages.stream(
    model="l",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Hello from Python, streamed"}],
) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
print()
