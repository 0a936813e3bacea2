import { existsSync } from "node:fs";
import * as p from "@clack/prompts";
import pc from "picocolors";
import { UserError } from "../shared/errors.ts";
import { createCredentials } from "../auth/credentials.ts";
import { DEFAULT_ACCOUNT } from "../auth/accounts.ts";
import { localAccountViews } from "../accounts/view.ts";
import { createLogger } from "../shared/log.ts";
import { VERSION } from "../shared/version.ts";
import type { CommandContext } from "./command.ts";
import { tokenExpiry } from "./format.ts";
import { removeLogin } from "./logout.ts";
import { createProxyControl, type ProxyControl } from "./proxy-control.ts";
import { forceRefresh } from "./refresh.ts";
import { formatLines, gatherStatus, loginSummary, statusLines } from "./status.ts";
import { loginWizard } from "./wizard.ts";

type Action = "start" | "stop" | "login" | "refresh" | "status" | "logout" | "exit";

/**
 * The login as the menu shows it, read afresh (a login or logout in the menu, or another terminal, changes it). With
 * several accounts: how many can serve.
 */
function currentLogin(ctx: CommandContext): { text: string; working: boolean } {
  const accounts = ctx.config.api.anthropic_api_key ? [] : localAccountViews(ctx.config, ctx.fetch);
  if (accounts.length > 1 || (accounts[0] && accounts[0].name !== DEFAULT_ACCOUNT)) {
    const ready = accounts.filter((account) => account.state === "ready");
    const names = accounts.map(
      (account) => `${account.name}${account.state === "ready" ? "" : ` (${account.state.replaceAll("_", " ")})`}`,
    );
    return { text: `${ready.length} of ${accounts.length} accounts ready: ${names.join(", ")}`, working: ready.length > 0 };
  }
  return loginSummary(createCredentials(ctx.config, ctx.fetch).status());
}

/**
 * Start, but not blindly: without a working login every API request would get a 401, and the log is muted to
 * warnings while the menu is up, so nobody would see why. Say so and offer the login first.
 */
async function startChecked(ctx: CommandContext, control: ProxyControl): Promise<void> {
  const login = currentLogin(ctx);
  if (!login.working) {
    p.log.warn(`${login.text}: started like this, the proxy answers every API request with 401 until you log in.`);
    const next = await p.select<"login" | "anyway" | "back">({
      message: "Log in first?",
      options: [
        { value: "login", label: "Log in, then start the proxy" },
        { value: "anyway", label: "Start anyway", hint: "requests get 401 until you log in" },
        { value: "back", label: "Back to the menu" },
      ],
    });
    if (p.isCancel(next) || next === "back") return;
    if (next === "login" && (await loginWizard(ctx, { browser: true, framed: false })) !== 0) return;
  }
  startProxy(control);
}

function startProxy(control: ProxyControl): void {
  try {
    const url = control.start();
    p.log.success(`Proxy running on ${pc.bold(url)}`);
    p.log.message(pc.dim(`Anthropic clients: ANTHROPIC_BASE_URL=${url}   OpenAI clients: base URL ${url}/v1`));
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    p.log.error(error.message);
  }
}

/**
 * What Ctrl-C does outside the prompts (which read it as a key): by default what it always did, end the process
 * (130); while the proxy stops, close what is still open at once. The listener lives as long as the menu, so a
 * Ctrl-C right after "Stopping the proxy" appears cannot find no handler yet.
 */
function watchInterrupts(): { during<T>(onInterrupt: () => void, work: Promise<T>): Promise<T>; dispose(): void } {
  let current: (() => void) | undefined;
  const listener = () => (current ? current() : process.exit(130));
  process.on("SIGINT", listener);
  return {
    async during(onInterrupt, work) {
      current = onInterrupt;
      try {
        return await work;
      } finally {
        current = undefined;
      }
    },
    dispose: () => void process.off("SIGINT", listener),
  };
}

type Interrupts = ReturnType<typeof watchInterrupts>;

/**
 * Stops gracefully (10 s at most); Ctrl-C meanwhile closes what is still open at once, as a second signal does for
 * serve. No spinner here: clack's spinner exits the process on Ctrl-C, cutting open streams with nothing said.
 */
async function stopProxy(control: ProxyControl, interrupts: Interrupts): Promise<void> {
  p.log.step("Stopping the proxy: requests in flight may finish (10 s at most; Ctrl-C closes them now)");
  const now = () => {
    p.log.warn("Closing open connections now");
    void control.stop(0);
  };
  await interrupts.during(now, control.stop());
  p.log.success("Proxy stopped — the port is free");
}

async function refresh(ctx: CommandContext): Promise<void> {
  const spin = p.spinner();
  spin.start("Refreshing the token");
  try {
    const tokens = await forceRefresh(ctx);
    spin.stop(`Refreshed — the new token ${tokenExpiry(tokens.expires_at, ctx.now(), Boolean(tokens.refresh_token))}`);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    spin.error(error.message);
  }
}

async function logout(ctx: CommandContext): Promise<void> {
  const tokenFile = ctx.config.storage.token_file;
  if (!existsSync(tokenFile)) {
    await removeLogin(tokenFile); // a half-finished headless login, if any
    return p.log.info(`You are not logged in — there is no ${tokenFile} to delete.`);
  }
  const sure = await p.confirm({ message: `Log out and delete ${tokenFile}?`, initialValue: false });
  if (p.isCancel(sure) || !sure) return p.log.info("Still logged in.");
  const removed = await removeLogin(tokenFile);
  p.log.success(removed ? `Logged out — deleted ${tokenFile}` : "You were not logged in.");
}

/**
 * Where the cursor rests after an action: on the item just used, except that it never lands on Start/Stop — two
 * Enters in a row must not stop a running proxy. Start and stop leave it on Token status (harmless, and it shows both).
 */
const restingPlace = (last: Action | undefined): Action | undefined =>
  last === undefined ? undefined : last === "start" || last === "stop" || last === "logout" ? "status" : last;

async function choose(ctx: CommandContext, control: ProxyControl, last: Action | undefined): Promise<Action> {
  const url = control.url;
  const login = currentLogin(ctx);
  const header = `${url ? `Proxy running on ${url}` : "What would you like to do?"}\n${login.working ? pc.dim(login.text) : pc.yellow(`${login.text} — choose Login`)}`;
  const choice = await p.select<Action>({
    message: header,
    initialValue: restingPlace(last),
    options: [
      url ? { value: "stop", label: "Stop proxy" } : { value: "start", label: "Start proxy", hint: "in this terminal" },
      { value: "login", label: "Login" },
      { value: "refresh", label: "Refresh token" },
      { value: "status", label: "Token status" },
      { value: "logout", label: "Logout" },
      { value: "exit", label: "Exit", ...(url ? { hint: "stops the proxy" } : {}) },
    ],
  });
  return p.isCancel(choice) ? "exit" : choice;
}

/** `maximize` on a terminal: the interactive menu. Exit (or Ctrl-C) stops a running proxy gracefully. */
export async function menuCommand(ctx: CommandContext): Promise<number> {
  // Only warnings while prompts are on screen, unless --debug asked for everything.
  const level = ctx.config.server.log_level === "debug" ? "debug" : "warn";
  const log = createLogger({ level, secrets: [...ctx.config.server.api_keys.map((k) => k.key), ctx.config.api.anthropic_api_key ?? ""] });
  const control = createProxyControl({ config: ctx.config, log, fetch: ctx.fetch });
  p.intro(pc.inverse(` maximize ${VERSION} `));
  const interrupts = watchInterrupts();
  try {
    let last: Action | undefined;
    for (;;) {
      const action = await choose(ctx, control, last);
      last = action;
      if (action === "exit") break;
      if (action === "start") await startChecked(ctx, control);
      if (action === "stop") await stopProxy(control, interrupts);
      if (action === "login") await loginWizard(ctx, { browser: true, framed: false });
      if (action === "refresh") await refresh(ctx);
      if (action === "status") p.note(formatLines(statusLines(await gatherStatus(ctx), ctx.now(), pc), pc), "Token status");
      if (action === "logout") await logout(ctx);
    }
    if (control.url) await stopProxy(control, interrupts);
  } finally {
    interrupts.dispose();
  }
  p.outro("Bye");
  return 0;
}
