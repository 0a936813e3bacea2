import { AuthError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import { REFRESH_LEAD_SECONDS, type Credentials } from "./tokens.ts";

/** How often to look again when there is nothing to refresh yet (no login, a dead login). */
const RECHECK_MS = 60_000;
/** The longest wait between two looks, whatever the expiry says (a timer cannot wait longer than ~24 days anyway). */
const MAX_WAIT_MS = 3_600_000;
/** The shortest wait after a refresh: tokens that live shorter than the refresh lead must not be refreshed in a loop. */
const MIN_GAP_MS = 60_000;
/** After a refresh that could not be made (the endpoint down): 30 s, doubling, at most 15 minutes. */
const BACKOFF_FIRST_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;

export interface KeepAlive {
  stop(): void;
}

export interface KeepAliveTimers {
  setTimeout(run: () => void, ms: number): { unref?(): void };
  clearTimeout(timer: unknown): void;
}

/**
 * Keeps a Claude login alive while `serve` runs with no traffic: refresh tokens that go unused go bad, and a proxy idle
 * overnight must still work in the morning. Just after the access token enters its refresh window it refreshes — under
 * the cross-process lock, taking another process's fresh token instead when there is one, so one refresh token is
 * never spent twice. A failed refresh waits longer each time; a dead login is logged once, when it is found, so the
 * user hears it before a request fails.
 */
export function keepLoginAlive(
  credentials: Credentials,
  log: Logger,
  timers: KeepAliveTimers = { setTimeout: (run, ms) => setTimeout(run, ms), clearTimeout: (t) => clearTimeout(t as number) },
  /**
   * Says a problem with the login once (undefined: it works again). Default: a log line; the account pool says it
   * its own way, once per account, shared with what requests find.
   */
  say?: (problem: string | undefined) => void,
): KeepAlive {
  let timer: unknown;
  let stopped = false;
  let failures = 0;
  let reported: string | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    const handle = timers.setTimeout(() => void tick(), Math.max(0, Math.min(ms, MAX_WAIT_MS)));
    handle.unref?.();
    timer = handle;
  };

  /** Says a problem once (until it changes or goes away). */
  const report = (problem: string | undefined) => {
    if (say) say(problem);
    else if (problem && problem !== reported) log.warn(`Claude login: ${problem}`);
    else if (!problem && reported) log.info("Claude login: working again");
    reported = problem;
  };

  /** When the token enters its refresh window (one second into it, so a refresh is due by then). */
  const untilDue = (expiresIn: number | null) => (expiresIn === null ? MAX_WAIT_MS : (expiresIn - REFRESH_LEAD_SECONDS + 1) * 1000);

  /** Refreshed here, by a request, or by another process sharing the token file: how long it is good for. */
  const goodFor = (left: number | null) =>
    log.debug(`keep-alive: the Claude token is good for ${left === null ? "ever" : `${Math.round(left / 60)} more minutes`}`);

  async function tick() {
    timer = undefined;
    const status = credentials.status();
    if (status.method === "api_key") return; // nothing to keep alive
    if (status.method !== "oauth") return schedule(RECHECK_MS);
    if (!status.logged_in) {
      // A dead or unusable login is said here, once (a transient refresh failure is the credentials' to log).
      report(status.error);
      return schedule(RECHECK_MS);
    }
    report(undefined);
    if (!status.refreshable) return schedule(MAX_WAIT_MS);
    const wait = untilDue(status.expires_in_seconds);
    if (wait > 0) {
      goodFor(status.expires_in_seconds);
      return schedule(wait);
    }
    try {
      await credentials.refresh();
      failures = 0;
      const left = credentials.status().expires_in_seconds;
      goodFor(left);
      schedule(Math.max(MIN_GAP_MS, untilDue(left)));
    } catch (error) {
      if (error instanceof AuthError && error.kind === "refresh_unavailable") {
        failures += 1;
        return schedule(Math.min(BACKOFF_FIRST_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
      }
      report((error as Error).message);
      schedule(RECHECK_MS);
    }
  }

  // The first look after start-up has been announced, not in the middle of it.
  schedule(0);
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
    },
  };
}
