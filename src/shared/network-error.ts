/**
 * What a failed fetch means, in plain words. Bun's fetch errors carry a `code` ("ECONNREFUSED", "ENOTFOUND",
 * "ECONNRESET", "EPROTO"…) and a message written for developers ("Is the computer able to access the url?",
 * "pass `verbose: true` in the second argument to fetch()"); what a person reads is this translation instead:
 * what failed, against which host and port, and what to check.
 */

/** `host:port` of a URL, with the scheme's default port spelled out ("api.anthropic.com:443"). */
export function hostAndPort(url: string | URL): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === "https:" ? "443" : parsed.protocol === "http:" ? "80" : "");
    return port ? `${parsed.hostname}:${port}` : parsed.hostname;
  } catch {
    return String(url);
  }
}

const errorField = (error: unknown, key: "code" | "name" | "message"): string => {
  if (typeof error !== "object" || error === null) return "";
  const value = (error as Record<string, unknown>)[key];
  return typeof value === "string" ? value : "";
};

/**
 * The network failure of a request to `url`, as one phrase with a hint: "connection refused by 127.0.0.1:9 — is …".
 * Without a URL (a failure noticed mid-body) the other end is "the server".
 */
export function describeNetworkError(error: unknown, url?: string | URL): string {
  const target = url === undefined ? "the server" : hostAndPort(url);
  const host = (() => {
    try {
      return url === undefined ? "of the server" : new URL(url).hostname;
    } catch {
      return target;
    }
  })();
  const code = errorField(error, "code").toUpperCase();
  const name = errorField(error, "name");
  if (name === "TimeoutError" || code === "ETIMEDOUT" || code === "TIMEOUTERROR") {
    return `${target} did not answer in time — is it reachable from here? (proxy, firewall, a slow network)`;
  }
  if (name === "AbortError" || code === "ABORT_ERR") return `the request to ${target} was cancelled`;
  if (code === "ECONNREFUSED" || code === "CONNECTIONREFUSED") {
    return `connection refused by ${target} — is the address right and the service running? (proxy, firewall)`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "DNSEXCEPTION") {
    return `the host name ${host} could not be resolved (DNS) — check the spelling, this machine's DNS and network`;
  }
  if (code === "ECONNRESET" || code === "CONNECTIONCLOSED" || code === "EPIPE") {
    return `${target} closed the connection unexpectedly — a proxy, firewall or the server dropped it; try again`;
  }
  // Certificate codes contain "TLS" too (ERR_TLS_CERT_ALTNAME_INVALID): they are checked first.
  if (code.includes("CERT") || code === "DEPTH_ZERO_SELF_SIGNED_CERT" || code === "SELF_SIGNED_CERT_IN_CHAIN") {
    return `the TLS certificate of ${target} was not accepted (${code}) — a proxy intercepting TLS needs its CA in NODE_EXTRA_CA_CERTS`;
  }
  if (code === "EPROTO" || code.includes("TLS") || code.includes("SSL")) {
    return `the TLS handshake with ${target} failed — is it an https address that speaks TLS on that port? (or a proxy intercepting it)`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "FAILEDTOOPENSOCKET") {
    return `${target} is unreachable from here (no route to it) — check the network connection`;
  }
  if (code === "EADDRNOTAVAIL") return `cannot open a connection to ${target} (address not available) — check the address`;
  // Unknown: the runtime's text without its developer hints, and the code to search for.
  const message = errorField(error, "message")
    .replace(/\s*(Is the computer able to access the url\?|For more information, pass `verbose: true`.*)$/i, "")
    .replace(/\.$/, "");
  return `the connection to ${target} failed${message ? ` (${message})` : code ? ` (${code})` : ""}`;
}
