import { ApiError } from "../shared/errors.ts";

/** Anthropic's request size limit; larger bodies are refused before they are read whole. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

const tooLarge = (size: string) => new ApiError(413, `request body is ${size}; the limit is ${MAX_BODY_BYTES} bytes (32 MB)`);

/** Reads a request body as text, refusing to hold more than MAX_BODY_BYTES (chunked bodies included). */
async function readLimited(request: Request): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (Number(declared) > MAX_BODY_BYTES) throw tooLarge(`${declared} bytes`);
    return request.text(); // the server enforces the declared length
  }
  if (!request.body) return "";
  const decoder = new TextDecoder();
  const reader = request.body.getReader();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge("over the limit");
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** The JSON body of a request, with a size limit and a clear error for malformed JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readLimited(request);
  if (!text.trim()) throw new ApiError(400, "the request body is empty: send a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    // Bun's text starts "JSON Parse error: "; what follows ("Unexpected identifier …") is the useful part.
    const why = (error as Error).message.replace(/^JSON Parse error:\s*/i, "");
    throw new ApiError(400, `the request body is not valid JSON (${why}) — send a JSON object with content-type application/json`);
  }
}
