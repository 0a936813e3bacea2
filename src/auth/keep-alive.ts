import { AuthError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import { REFRESH_LEAD_SECONDS, type Credentials } from "./tokens.ts";

/** How often to look again when there is nothing to refresh yet (no login, a long-lived token, a dead login). */
const RECHECK_MS = 60_000;
/** The longest wait between two looks, whatever the expiry says (a timer cannot wait longer than ~24 days anyway). */
const MAX_WAIT_MS = 3_600_000;
/** After a refresh that could not be made (the endpoint down): 30 s, doubling, at most 15 minutes. */
const BACKOFF_FIRST_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;

export interface KeepAlive {
  stop(): void;
}

/**
 * Keeps a Claude login alive while `serve` runs with no traffic: refresh tokens that go unused go bad, and a proxy idle
 * overnight must still work in the morning. Just after the access token enters its refresh window, it asks the
 * credentials for a token — which refreshes single-flight, under the cross-process lock, never spending one refresh
 * token twice. A dead login is logged once, when it is found, so the user hears it before a request fails.
 */
export function keepLoginAlive(credentials: Credentials, log: Logger): KeepAlive {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let failures = 0;
  let reported: string | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, Math.min(ms, MAX_WAIT_MS)));
    timer.unref?.();
  };

  /** Says a problem once (until it changes or goes away). */
  const report = (problem: string | undefined) => {
    if (problem && problem !== reported) log.warn(`Claude login: ${problem}`);
    else if (!problem && reported) log.info("Claude login: working again");
    reported = problem;
  };

  const nextLook = (): number => {
    const status = credentials.status();
    if (status.method !== "oauth" || !status.logged_in) {
      if (status.method === "oauth") report(status.error);
      return RECHECK_MS;
    }
    if (!status.error) report(undefined);
    if (!status.refreshable || status.expires_in_seconds === null) return MAX_WAIT_MS;
    // One second into the refresh window, so the request for a token really refreshes.
    return (status.expires_in_seconds - REFRESH_LEAD_SECONDS + 1) * 1000;
  };

  async function tick() {
    timer = undefined;
    const status = credentials.status();
    if (status.method === "oauth" && status.logged_in && status.refreshable && (status.expires_in_seconds ?? 0) <= REFRESH_LEAD_SECONDS) {
      try {
        await credentials.get();
        failures = 0;
        report(undefined);
        // Refreshed here, or found refreshed by another process sharing the token file.
        const left = credentials.status().expires_in_seconds;
        log.debug(`keep-alive: the Claude token is good for ${left === null ? "ever" : `${Math.round(left / 60)} more minutes`}`);
      } catch (error) {
        if (error instanceof AuthError && error.kind === "refresh_unavailable") {
          failures += 1;
          // The credentials log each failed refresh; wait longer each time.
          return schedule(Math.min(BACKOFF_FIRST_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
        }
        report((error as Error).message);
        return schedule(RECHECK_MS);
      }
    }
    schedule(nextLook());
  }

  schedule(nextLook());
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
