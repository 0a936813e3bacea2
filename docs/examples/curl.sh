#!/bin/sh
# maximize with curl: the Anthropic Messages API and the OpenAI Chat Completions API, each without and with streaming.
# Tested: test/docs/examples.e2e.test.ts runs this script against a real maximize.
#
#   sh curl.sh                                   # maximize on http://127.0.0.1:8081, no proxy API keys
#   MAXIMIZE_URL=http://host:8081 MAXIMIZE_API_KEY=your-proxy-key sh curl.sh
#
# The API key: maximize ignores it unless you configured proxy API keys (then send one of them); it never goes upstream.
set -eu
URL="${MAXIMIZE_URL:-http://127.0.0.1:8081}"
KEY="${MAXIMIZE_API_KEY:-unused}"

# Anthropic Messages API. "l" is a nickname (the newest large model); any model ID works too.
curl -sS --fail-with-body "$URL/v1/messages" \
  -H 'content-type: application/json' -H "x-api-key: $KEY" \
  -d '{"model":"l","max_tokens":256,"messages":[{"role":"user","content":"Hello from curl"}]}'
echo

# The same, streamed: server-sent events (message_start, content_block_delta, …, message_stop).
curl -sS --fail-with-body -N "$URL/v1/messages" \
  -H 'content-type: application/json' -H "x-api-key: $KEY" \
  -d '{"model":"l","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"Hello from curl, streamed"}]}'
echo

# OpenAI Chat Completions API (note the /v1 in the path, and Authorization: Bearer for the key).
curl -sS --fail-with-body "$URL/v1/chat/completions" \
  -H 'content-type: application/json' -H "authorization: Bearer $KEY" \
  -d '{"model":"l","messages":[{"role":"user","content":"Hello from curl, OpenAI style"}]}'
echo

# Streamed: "data: {…chat.completion.chunk…}" lines, then "data: [DONE]".
curl -sS --fail-with-body -N "$URL/v1/chat/completions" \
  -H 'content-type: application/json' -H "authorization: Bearer $KEY" \
  -d '{"model":"l","stream":true,"messages":[{"role":"user","content":"Hello from curl, OpenAI style, streamed"}]}'
echo
