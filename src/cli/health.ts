import type { Config } from "../config/load.ts";
import type { Fetch } from "../shared/http.ts";
import { describeNetworkError } from "../shared/network-error.ts";
import type { Output } from "./command.ts";

/** Where a local maximize with this config listens, as a URL a client on this machine can use. */
export function localUrl(config: Config): string {
  const bind = config.server.bind_address;
  const host = bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind.includes(":") ? `[${bind}]` : bind;
  return `http://${host}:${config.server.port}`;
}

/**
 * GET `path` from the maximize serving on this machine, with the first proxy key (a proxy with keys asks for one):
 * its answer, or undefined when it cannot be reached.
 */
export function askLocalProxy(ctx: { config: Config; fetch: Fetch }, path: string, signal?: AbortSignal): Promise<Response | undefined> {
  const key = ctx.config.server.api_keys[0]?.key;
  return ctx.fetch(`${localUrl(ctx.config)}${path}`, { headers: key ? { "x-api-key": key } : {}, signal }).catch(() => undefined);
}

/** True when a maximize answers /healthz at that address within `timeoutMs`. */
export async function isServing(config: Config, timeoutMs: number): Promise<boolean> {
  return fetch(`${localUrl(config)}/healthz`, { signal: AbortSignal.timeout(timeoutMs) }).then(
    (r) => r.ok,
    () => false,
  );
}

/** `maximize health`: exit 0 when a local server answers /healthz (for Docker HEALTHCHECK in a scratch image). */
export async function healthCommand(config: Config, out: Output, err: Output): Promise<number> {
  const url = `${localUrl(config)}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (response.ok) {
      out.write(`ok ${url}\n`);
      return 0;
    }
    err.write(`unhealthy: ${url} answered ${response.status}\n`);
  } catch (error) {
    err.write(`unhealthy: no answer from ${url}: ${describeNetworkError(error, url)}\n`);
  }
  return 1;
}
