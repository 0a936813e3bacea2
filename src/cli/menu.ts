import * as p from "@clack/prompts";
import pc from "picocolors";
import { UserError } from "../shared/errors.ts";
import { createLogger } from "../shared/log.ts";
import { VERSION } from "../shared/version.ts";
import type { CommandContext } from "./command.ts";
import { tokenExpiry } from "./format.ts";
import { removeLogin } from "./logout.ts";
import { createProxyControl, type ProxyControl } from "./proxy-control.ts";
import { forceRefresh } from "./refresh.ts";
import { formatLines, gatherStatus, statusLines } from "./status.ts";
import { loginWizard } from "./wizard.ts";

type Action = "start" | "stop" | "login" | "refresh" | "status" | "logout" | "exit";

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

async function stopProxy(control: ProxyControl): Promise<void> {
  const spin = p.spinner();
  spin.start("Stopping the proxy (letting requests in flight finish)");
  await control.stop();
  spin.stop("Proxy stopped — the port is free");
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
  const sure = await p.confirm({ message: `Log out and delete ${tokenFile}?`, initialValue: false });
  if (p.isCancel(sure) || !sure) return p.log.info("Still logged in.");
  const removed = await removeLogin(tokenFile);
  p.log.success(removed ? `Logged out — deleted ${tokenFile}` : "You were not logged in.");
}

async function choose(control: ProxyControl): Promise<Action> {
  const url = control.url;
  const choice = await p.select<Action>({
    message: url ? `Proxy running on ${url}` : "What would you like to do?",
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
  const log = createLogger({ level, secrets: [...ctx.config.server.api_keys, ctx.config.api.anthropic_api_key ?? ""] });
  const control = createProxyControl({ config: ctx.config, log, fetch: ctx.fetch });
  p.intro(pc.inverse(` maximize ${VERSION} `));
  for (;;) {
    const action = await choose(control);
    if (action === "exit") break;
    if (action === "start") startProxy(control);
    if (action === "stop") await stopProxy(control);
    if (action === "login") await loginWizard(ctx, { browser: true, framed: false });
    if (action === "refresh") await refresh(ctx);
    if (action === "status") p.note(formatLines(statusLines(await gatherStatus(ctx), ctx.now(), pc), pc), "Token status");
    if (action === "logout") await logout(ctx);
  }
  if (control.url) await stopProxy(control);
  p.outro("Bye");
  return 0;
}
