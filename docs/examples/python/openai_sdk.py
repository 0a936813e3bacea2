"""maximize with the OpenAI Python SDK: Chat Completions, then the same streamed.

UNTESTED here: the `openai` package is not installed where maximize's tests run, so the test suite only compiles
this file (python3 -m py_compile). The TypeScript version (typescript/openai.ts) is run by the tests.

    pip install openai
    python3 openai_sdk.py

The base URL ends in /v1 for OpenAI clients. The API key: any value, or one of your proxy API keys if you
configured them; maximize never sends it upstream.
"""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ.get("MAXIMIZE_URL", "http://127.0.0.1:8081") + "/v1",
    api_key=os.environ.get("MAXIMIZE_API_KEY", "unused"),
)

# "l" is a nickname for the newest large model (`maximize models` lists them); any model ID works too.
completion = client.chat.completions.create(
    model="l",
    messages=[{"role": "user", "content": "Hello from OpenAI Python"}],
)
print(completion.choices[0].message.content)

stream = client.chat.completions.create(
    model="l",
    messages=[{"role": "user", "content": "Hello from OpenAI Python, streamed"}],
    stream=True,
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
print()
