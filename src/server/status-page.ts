/**
 * The status page served at `GET /`: one self-contained HTML document (inline style and script, an inline SVG icon,
 * no fonts or files from anywhere), so it works offline and from the compiled binary. It holds no data: its script
 * reads `/usage` and `/status.json` every few seconds, behind the same guards as every API route (the proxy key,
 * sent as `x-api-key` and kept at most in sessionStorage; the Origin and Host checks, which same-origin GETs pass
 * because browsers send no Origin on them).
 *
 * Everything the script shows goes in through `textContent`, never as markup: error messages and model names come
 * from outside. The Content-Security-Policy allows exactly this page's one script and one style, by hash, computed
 * here at module load, so the policy cannot drift from the page.
 */
import { createHash } from "node:crypto";
import { WINDOW_LABELS } from "../plan/plan.ts";

/** How often the page asks for fresh numbers: a few seconds, and two tiny local requests each time. */
export const REFRESH_SECONDS = 5;

const STYLE = `
:root {
  color-scheme: light dark;
  --fg: #1f2328; --muted: #59636e; --bg: #f6f8fa; --card: #ffffff; --line: #d1d9e0;
  --track: #e6eaef; --ok: #1f883d; --warn: #9a6700; --bad: #cf222e; --accent: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23; --line: #3d444d;
    --track: #262c36; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #4493f8;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer { max-width: 54rem; margin: 0 auto; padding: 0 1rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 1rem; padding-top: 1.25rem; }
h1 { margin: 0; font-size: 1.35rem; }
h2 { margin: 0 0 0.6rem; font-size: 1.05rem; }
h3 { margin: 0.9rem 0 0.3rem; font-size: 0.95rem; }
p { margin: 0.3rem 0; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted, #meta, footer { color: var(--muted); }
section, form { margin: 1rem 0; padding: 0.9rem 1.2rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
#notice { margin: 1rem 0 0; padding: 0.5rem 0.8rem; background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--warn); border-radius: 4px; }
.window { margin: 0.65rem 0; }
.window-label { font-weight: 600; }
.bar { height: 0.8rem; margin-top: 0.2rem; overflow: hidden; background: var(--track); border-radius: 999px; }
.fill { width: 0; height: 100%; background: var(--ok); border-radius: 999px; transition: width 0.4s ease; }
.warn .fill { background: var(--warn); }
.full .fill { background: var(--bad); }
.bad { color: var(--bad); font-weight: 600; }
.warn-text { color: var(--warn); font-weight: 600; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3rem 0.5rem; text-align: right; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; overflow-wrap: anywhere; }
th { font-weight: 600; color: var(--muted); }
#errors { margin: 0; padding: 0; list-style: none; }
#errors li { padding: 0.4rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
#errors li:last-child { border-bottom: 0; }
label { display: block; margin: 0.6rem 0 0.2rem; font-weight: 600; }
input { width: min(100%, 24rem); padding: 0.35rem 0.5rem; font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
button { padding: 0.35rem 0.8rem; font: inherit; color: #fff; background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
button.plain { color: var(--accent); background: none; padding: 0; text-decoration: underline; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
footer { padding-bottom: 1.5rem; font-size: 0.9rem; }
@media (prefers-reduced-motion: reduce) { .fill { transition: none; } }
`;

/*
 * The page's script: plain ES2020 for any current browser. It is a string, so it must not contain a backtick or a
 * dollar-brace (this is a template literal), nor a closing script tag.
 */
const SCRIPT = `
"use strict";
const LABELS = ${JSON.stringify(WINDOW_LABELS)};
const REFRESH_MS = ${REFRESH_SECONDS * 1000};
const KEY_ITEM = "maximize.proxyKey";
const $ = (id) => document.getElementById(id);
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

let key = null;
try { key = sessionStorage.getItem(KEY_ITEM); } catch (e) { key = null; }
let timer = 0;
let round = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
const pad = (n) => String(n).padStart(2, "0");
const hhmm = (d) => pad(d.getHours()) + ":" + pad(d.getMinutes());
const number = (n) => (typeof n === "number" && Number.isFinite(n) ? n.toLocaleString() : "–");

/** "18:40" today, "Fri 18:40" within a week, "2026-12-24 18:40" beyond. */
function clock(date) {
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return hhmm(date);
  if (Math.abs(date - now) < 6 * 86400000) return DAYS[date.getDay()] + " " + hhmm(date);
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " + hhmm(date);
}

/** A duration a person reads: "under a minute", "13 min", "2 h 13 min", "3 d 4 h". */
function span(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return minutes + " min";
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours + " h" + (minutes % 60 ? " " + (minutes % 60) + " min" : "");
  return Math.floor(hours / 24) + " d" + (hours % 24 ? " " + (hours % 24) + " h" : "");
}

function parseTime(iso) {
  if (typeof iso !== "string") return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "resets 18:40, in 2 h 13 min", or "" when the reset time is unknown. */
function resets(iso) {
  const date = parseTime(iso);
  if (!date) return "";
  const ms = date - Date.now();
  return ms > 0 ? "resets " + clock(date) + ", in " + span(ms) : "reset due at " + clock(date);
}

const labelOf = (name) => LABELS[name] || String(name).replaceAll("_", " ");

/** The message of an error answer in either API's shape, else its status. */
function describeFailure(path, result) {
  if (result.status === 0) return "maximize did not answer " + path + " (" + result.failure + ")";
  const body = result.body;
  const message = body && body.error && typeof body.error.message === "string" ? body.error.message : null;
  return path + " answered " + result.status + (message ? ": " + message : result.body === null ? " (not JSON)" : "");
}

async function get(path) {
  const headers = { accept: "application/json" };
  if (key) headers["x-api-key"] = key;
  try {
    const response = await fetch(path, { headers, cache: "no-store", credentials: "omit", redirect: "error" });
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch (e) { body = null; }
    return { ok: response.ok && body !== null, status: response.status, body };
  } catch (error) {
    return { ok: false, status: 0, body: null, failure: String((error && error.message) || error) };
  }
}

function setNotice(text) {
  const notice = $("notice");
  notice.textContent = text || "";
  notice.hidden = !text;
}

function askForKey(refused) {
  $("data").hidden = true;
  for (const id of ["login", "plans", "streams", "models", "errors"]) $(id).replaceChildren();
  $("key-form").hidden = false;
  $("forget").hidden = true;
  $("key-refused").hidden = !refused;
  $("meta").textContent = "proxy API key needed";
  setNotice("");
  $("key").focus();
}

const ACCOUNT_STATE = { ready: "ready", cooling: "cooling down", dead: "login dead", not_logged_in: "not logged in", error: "not usable" };

/** One line per account when there are several: what it is, whether it takes requests, and why not. */
function renderAccounts(accounts) {
  const list = el("ul", "accounts");
  for (const account of accounts) {
    const state = ACCOUNT_STATE[account.state] || account.state;
    const parts = [account.kind === "api_key" ? "API key" : "Claude login" + (account.email ? " " + account.email : ""), state];
    if (account.cooling_until) parts.push("until " + clock(new Date(account.cooling_until)) + (account.cooling_reason ? " (" + account.cooling_reason + ")" : ""));
    if (typeof account.utilization === "number") parts.push(Math.round(account.utilization * 100) + " % of its fullest window used");
    parts.push(number(account.requests || 0) + " requests");
    const item = el("li", account.state === "ready" ? "" : account.state === "cooling" ? "warn-text" : "bad");
    item.append(el("strong", "", account.name), document.createTextNode(" — " + parts.join(" · ")));
    if (account.state !== "ready" && account.state !== "cooling" && account.last_error) item.append(el("div", "", account.last_error.message));
    list.append(item);
  }
  return list;
}

function renderLogin(status) {
  const box = $("login");
  const accounts = Array.isArray(status.accounts) ? status.accounts : [];
  if (accounts.length > 1) {
    const usable = accounts.filter((account) => account.state === "ready").length;
    box.replaceChildren(el("p", usable > 0 ? "" : "bad", usable + " of " + accounts.length + " accounts take new requests."), renderAccounts(accounts));
    return;
  }
  const auth = status.auth || {};
  const line = el("p");
  if (auth.logged_in && auth.method === "oauth") {
    line.textContent = "Logged in with a Claude subscription" + (auth.account ? " as " + auth.account : "") + ".";
    const expires = typeof auth.expires_at === "number" ? new Date(auth.expires_at * 1000) : null;
    if (expires) {
      const ms = expires - Date.now();
      line.textContent += !auth.refreshable
        ? " This long-lived token is valid until " + clock(expires) + " (" + span(ms) + "); make a new one with claude setup-token before then."
        : ms > 0
          ? " Access token valid until " + clock(expires) + " (" + span(ms) + "); it is renewed automatically."
          : " Access token expired at " + clock(expires) + "; it is renewed on the next request.";
    }
  } else if (auth.logged_in && auth.method === "api_key") {
    line.textContent = "Using an Anthropic API key" + (auth.account ? " (" + auth.account + ")" : "") + ": billed per token, no plan windows.";
  } else if (auth.method === "oauth") {
    line.className = "bad";
    line.textContent = "The Claude login expired or was revoked: run maximize login.";
  } else {
    line.className = "bad";
    line.textContent = "Not logged in: run maximize login (or set an Anthropic API key), then send a request.";
  }
  const children = [line];
  if (auth.error) children.push(el("p", "bad", "Problem: " + auth.error));
  box.replaceChildren(...children);
}

function windowRow(name, window) {
  const used = Math.max(0, Number(window.utilization) || 0);
  const percent = Math.round(used * 100);
  const label = labelOf(name);
  const state = window.status === "rejected" || used >= 1 ? "full" : window.status === "allowed_warning" || used >= 0.8 ? "warn" : "ok";
  const when = resets(window.resets_at);
  const detail = percent + " %" + (when ? " — " + when : "") + (state === "full" ? " — limit reached" : state === "warn" ? " — close to the limit" : "");
  const row = el("div", "window " + state);
  const text = el("div", "window-text");
  // One sentence ("5-hour 42 % — resets 18:40, in 2 h 13 min"), whichever way it is read.
  text.append(el("span", "window-label", label), document.createTextNode(" "), el("span", "window-detail", detail));
  const bar = el("div", "bar");
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-label", label);
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.setAttribute("aria-valuenow", String(Math.min(percent, 100)));
  bar.setAttribute("aria-valuetext", percent + " % used" + (when ? ", " + when : ""));
  const fill = el("div", "fill");
  // The CSSOM, not a style attribute: the CSP allows no inline style attributes, and needs none for this.
  fill.style.width = Math.min(percent, 100) + "%";
  bar.append(fill);
  row.append(text, bar);
  return row;
}

const STATUS_TEXT = { allowed: "within limits", allowed_warning: "close to a limit", rejected: "limit reached: requests are refused" };

function renderPlans(usage, status) {
  const box = $("plans");
  const accounts = Array.isArray(usage.accounts) ? usage.accounts : [];
  if (accounts.length === 0) {
    const method = status && status.auth ? status.auth.method : null;
    const children = [el("p", "muted", method === "api_key"
      ? "Plan windows belong to Claude subscriptions; this login uses an API key."
      : "No plan data yet: Anthropic reports it with every answer to a subscription request, so it appears after the first request through maximize.")];
    if (typeof usage.error === "string") children.push(el("p", "bad", "Anthropic's usage endpoint could not be read: " + usage.error));
    box.replaceChildren(...children);
    return;
  }
  const children = [];
  for (const plan of accounts) {
    if (accounts.length > 1 || (plan.account && plan.account !== "default")) children.push(el("h3", "", plan.account));
    const summary = el("p", plan.status === "rejected" ? "bad" : plan.status === "allowed_warning" ? "warn-text" : "muted");
    const parts = [];
    if (plan.status) parts.push(STATUS_TEXT[plan.status] || plan.status);
    if (plan.representative_claim && plan.status && plan.status !== "allowed") {
      parts.push("the " + labelOf(plan.representative_claim) + " window counts" + (plan.resets_at ? ", " + resets(plan.resets_at) : ""));
    }
    const seen = parseTime(plan.seen_at);
    if (seen) parts.push((plan.source === "usage_api" ? "from Anthropic's usage endpoint at " : "as of the last answer, ") + clock(seen));
    summary.textContent = parts.join(" · ");
    children.push(summary);
    const windows = Object.entries(plan.windows || {});
    if (windows.length === 0) children.push(el("p", "muted", "Anthropic reported no windows."));
    for (const [name, window] of windows) children.push(windowRow(name, window || {}));
    const extra = plan.extra_usage;
    if (extra && extra.is_enabled) {
      const bits = ["Extra usage is on"];
      if (typeof extra.utilization === "number") bits.push(Math.round(extra.utilization * 100) + " % of the monthly limit used");
      if (typeof extra.used_credits === "number") bits.push(number(extra.used_credits) + (typeof extra.monthly_limit === "number" ? " of " + number(extra.monthly_limit) : "") + " credits");
      children.push(el("p", "", bits.join(": ") + "."));
    }
  }
  box.replaceChildren(...children);
}

function renderTraffic(status) {
  const open = Number(status.open_streams) || 0;
  $("streams").textContent = open === 1 ? "1 stream open now." : open + " streams open now.";
  const models = Object.entries(status.models || {}).sort((a, b) => (b[1].requests || 0) - (a[1].requests || 0));
  const box = $("models");
  if (models.length === 0) {
    box.replaceChildren(el("p", "muted", "No requests since maximize started."));
    return;
  }
  const table = el("table");
  const head = el("tr");
  for (const title of ["Model", "Requests", "Input tokens", "Output tokens", "Cache read", "Cache write"]) {
    const th = el("th", "", title);
    th.scope = "col";
    head.append(th);
  }
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const [id, counts] of models) {
    const tokens = counts.tokens || {};
    const row = el("tr");
    const name = el("th", "", id);
    name.scope = "row";
    row.append(name);
    for (const value of [counts.requests, tokens.input, tokens.output, tokens.cache_read, tokens.cache_write]) row.append(el("td", "", number(value)));
    table.tBodies[0].append(row);
  }
  const scroll = el("div", "scroll");
  scroll.append(table);
  box.replaceChildren(scroll);
}

function renderErrors(status) {
  const list = $("errors");
  const when = (error) => (parseTime(error.at) || new Date(0)).getTime();
  const errors = Array.isArray(status.recent_errors) ? status.recent_errors.slice().sort((a, b) => when(b) - when(a)) : [];
  if (errors.length === 0) {
    list.replaceChildren(el("li", "muted", "None since maximize started."));
    return;
  }
  list.replaceChildren(...errors.map((error) => {
    const at = parseTime(error.at);
    const item = el("li");
    item.append(
      el("span", "muted", (at ? clock(at) + ":" + pad(at.getSeconds()) : "?") + " · " + (error.route || "?") + " · "),
      el("span", "bad", String(error.status)),
      document.createTextNode(" " + (error.message || "")),
    );
    return item;
  }));
}

/** Renders one part; a payload of an unexpected shape is reported in place rather than stopping the page. */
function guarded(ids, render) {
  try {
    render();
  } catch (error) {
    for (const id of ids) $(id).replaceChildren(el("p", "bad", "Could not show this part: " + ((error && error.message) || error)));
  }
}

async function refresh() {
  clearTimeout(timer);
  const mine = ++round;
  const [usage, status] = await Promise.all([get("/usage"), get("/status.json")]);
  if (mine !== round) return; // a newer refresh (a key just entered) has started
  if (usage.status === 401 || status.status === 401) {
    const refused = Boolean(key);
    key = null;
    try { sessionStorage.removeItem(KEY_ITEM); } catch (e) { /* storage off: the key lived in memory only */ }
    askForKey(refused);
    return;
  }
  $("key-form").hidden = true;
  $("data").hidden = false;
  $("forget").hidden = !key;
  const problems = [];
  if (status.ok) {
    guarded(["login"], () => renderLogin(status.body));
    guarded(["streams", "models"], () => renderTraffic(status.body));
    guarded(["errors"], () => renderErrors(status.body));
  } else {
    const text = "Could not read the status: " + describeFailure("/status.json", status);
    problems.push(text);
    for (const id of ["login", "models", "errors"]) $(id).replaceChildren(el(id === "errors" ? "li" : "p", "bad", text));
    $("streams").textContent = "";
  }
  if (usage.ok) guarded(["plans"], () => renderPlans(usage.body, status.ok ? status.body : null));
  else {
    const text = "Could not read the plan: " + describeFailure("/usage", usage);
    problems.push(text);
    $("plans").replaceChildren(el("p", "bad", text));
  }
  setNotice(problems.length === 2 && usage.status === 0 ? problems[0] + ". Retrying every " + REFRESH_MS / 1000 + " s." : "");
  const now = new Date();
  const meta = [];
  if (status.ok && status.body.version) meta.push("version " + status.body.version);
  if (status.ok && typeof status.body.uptime_seconds === "number") meta.push("up " + span(status.body.uptime_seconds * 1000));
  meta.push("updated " + hhmm(now) + ":" + pad(now.getSeconds()));
  $("meta").textContent = meta.join(" · ");
  timer = setTimeout(refresh, REFRESH_MS);
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("key").value.trim();
  if (!value) return;
  key = value;
  $("key").value = "";
  try { sessionStorage.setItem(KEY_ITEM, value); } catch (e) { /* storage off: keep it in memory for this page */ }
  refresh();
});
$("forget").addEventListener("click", () => {
  key = null;
  try { sessionStorage.removeItem(KEY_ITEM); } catch (e) { /* nothing stored */ }
  refresh();
});
$("refresh").addEventListener("click", () => refresh());
refresh();
`;

/** Three rising bars: the tab's icon, as a data: URL (allowed by `img-src data:`), so the browser asks for no favicon. */
const ICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="1" y="9" width="4" height="6" rx="1" fill="#1f883d"/>' +
      '<rect x="6" y="5" width="4" height="10" rx="1" fill="#9a6700"/><rect x="11" y="1" width="4" height="14" rx="1" fill="#cf222e"/></svg>',
  );

const BODY = `<header>
<h1>maximize</h1>
<p id="meta">loading…</p>
</header>
<main>
<p id="notice" role="status" aria-live="polite" hidden></p>
<form id="key-form" hidden>
<h2>Proxy API key needed</h2>
<p>This maximize server only answers clients that send one of its proxy API keys (<code>MAXIMIZE_API_KEYS</code>).</p>
<p>The key is sent only to this server, as the <code>x-api-key</code> header, and kept in this tab's session storage until the tab is closed.</p>
<p id="key-refused" class="bad" role="alert" hidden>That key was refused: it is not one of this server's keys.</p>
<label for="key">Proxy API key</label>
<input id="key" name="key" type="password" autocomplete="off" autocapitalize="off" spellcheck="false" required>
<button type="submit">Show status</button>
</form>
<div id="data" hidden>
<section aria-labelledby="login-title"><h2 id="login-title">Login</h2><div id="login"></div></section>
<section aria-labelledby="plans-title"><h2 id="plans-title">Plan limits</h2><div id="plans"></div></section>
<section aria-labelledby="traffic-title"><h2 id="traffic-title">Requests since start</h2><p id="streams"></p><div id="models"></div></section>
<section aria-labelledby="errors-title"><h2 id="errors-title">Recent errors</h2><ul id="errors"></ul></section>
</div>
</main>
<footer>
<p>Updates every ${REFRESH_SECONDS} seconds from <code>/usage</code> and <code>/status.json</code>. No prompts, answers or keys are shown here.
<button type="button" id="refresh" class="plain">Refresh now</button> <button type="button" id="forget" class="plain" hidden>Forget the key</button></p>
</footer>`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>maximize status</title>
<link rel="icon" href="${ICON}">
<style>${STYLE}</style>
</head>
<body>
${BODY}
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * Nothing runs or styles the page but its own inline blocks (by hash); it may talk to this server only, submit no
 * form, be framed by nobody, and (Trusted Types) no script may write markup into it.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": STATUS_PAGE_CSP,
  // A new version's page has new hashes: never serve a cached page against a fresh policy.
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};
