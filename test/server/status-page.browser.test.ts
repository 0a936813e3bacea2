/**
 * The status page (GET /) in a real headless Chromium, against a real proxy and the fake upstream: the bars show what
 * the upstream reported, the page follows new traffic by itself, the proxy key is asked for and sent as a header only,
 * an endpoint's error is shown without breaking the page, and the strict CSP lets the page run with no violation.
 *
 * The browser is Debian's `chromium` (.ci/run installs it), driven by playwright-core; CHROME_PATH picks another
 * Chromium-based browser. Without one, the browser tests are skipped and say why.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from "../../src/server/status-page.ts";
import { eventually } from "../support/eventually.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startProxy } from "../support/proxy.ts";

const CANDIDATES = [
  process.env.CHROME_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome-stable",
  "/usr/bin/google-chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
].filter((path): path is string => Boolean(path));
const BROWSER = CANDIDATES.find((path) => existsSync(path));
const NO_BROWSER = "skipped: no Chromium found; install Debian's chromium (as .ci/run does) or set CHROME_PATH";
if (!BROWSER) console.warn(`status page browser tests ${NO_BROWSER} (looked at ${CANDIDATES.join(", ")})`);
const browserTest = test.skipIf(!BROWSER);

/** What the issue asks Chromium to run with: no sandbox (CI containers), and nothing that talks to the network. */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PAGE_TIMEOUT = 60_000;
/** The page refreshes every 5 s: allow two rounds and some. */
const UPDATE_WAIT = 15_000;
const OUTPUT_DIR = process.env.TEST_OUTPUT_DIR ?? join(tmpdir(), "maximize-test-output");

let fake: FakeAnthropic;
let context: BrowserContext | undefined;
let profile: string | undefined;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  if (!BROWSER) return;
  profile = mkdtempSync(join(tmpdir(), "maximize-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: BROWSER,
    headless: true,
    args: ARGS,
    locale: "en-US",
    viewport: { width: 1000, height: 900 },
  });
});
afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await fake.close();
});

const PROMPT = "a-prompt-that-must-never-show";
const send = (url: string, headers: Record<string, string> = {}, stream = false) =>
  fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "l", max_tokens: 16, stream, messages: [{ role: "user", content: PROMPT }] }),
  });

interface StatusJson {
  models: Record<string, { requests: number; tokens: { input: number; output: number; cache_read: number; cache_write: number } }>;
}
interface UsageJson {
  accounts: { windows: Record<string, { utilization: number; resets_at: string | null }> }[];
}
const getJson = async <T>(url: string, headers: Record<string, string> = {}) => (await (await fetch(url, { headers })).json()) as T;

/** The browser globals the snippets run in the page use (the project's tsconfig has no DOM library). */
interface InPage {
  document: {
    cookie: string;
    addEventListener(type: "securitypolicyviolation", listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
  };
  sessionStorage: { length: number; getItem(key: string): string | null };
  localStorage: { length: number };
  cspViolations: string[];
}

/**
 * A fresh tab that records what must not happen: script errors, CSP violations (as the console reports them and as
 * `securitypolicyviolation` events), console errors other than Chrome's own line for an HTTP error status.
 */
async function openTab(): Promise<{ page: Page; problems: string[]; requests: { url: string; headers: Record<string, string> }[] }> {
  const page = await context!.newPage();
  page.setDefaultTimeout(UPDATE_WAIT);
  const problems: string[] = [];
  const requests: { url: string; headers: Record<string, string> }[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // An endpoint answering 401 or 503 is logged by Chrome itself; the page handles it, so it is not a fault.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource: the server responded with a status of")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("request", (request) => requests.push({ url: request.url(), headers: request.headers() }));
  await page.addInitScript(() => {
    const seen: string[] = [];
    const page = globalThis as unknown as InPage;
    page.cspViolations = seen;
    page.document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return { page, problems, requests };
}

/** Problems so far, the page's own CSP violation events included. */
async function problemsOf(tab: { page: Page; problems: string[] }): Promise<string[]> {
  const violations = await tab.page.evaluate(() => (globalThis as unknown as InPage).cspViolations);
  return [...tab.problems, ...violations.map((v) => `CSP violation: ${v}`)];
}

const windowText = (page: Page, label: string) =>
  page
    .locator(".window", { has: page.getByRole("progressbar", { name: label, exact: true }) })
    .locator(".window-text")
    .textContent();
const valueNow = (page: Page, label: string) => page.getByRole("progressbar", { name: label, exact: true }).getAttribute("aria-valuenow");
const modelRow = async (page: Page, model: string) =>
  (
    await page
      .locator("#models tbody tr", { has: page.getByRole("rowheader", { name: model, exact: true }) })
      .locator("td")
      .allTextContents()
  ).map((cell) => cell.trim());

const clockOf = (iso: string) => {
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
};

test("the status page's inline script and style are exactly what the CSP's hashes allow; no other source, handler or style attribute", () => {
  const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
  const scripts = [...STATUS_PAGE_HTML.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...STATUS_PAGE_HTML.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  expect(scripts).toHaveLength(1);
  expect(styles).toHaveLength(1);
  expect(STATUS_PAGE_CSP).toContain(`script-src ${hash(scripts[0]!)};`);
  expect(STATUS_PAGE_CSP).toContain(`style-src ${hash(styles[0]!)};`);
  for (const directive of ["default-src 'none'", "connect-src 'self'", "img-src data:", "base-uri 'none'", "form-action 'none'"]) {
    expect(STATUS_PAGE_CSP).toContain(directive);
  }
  expect(STATUS_PAGE_CSP).toContain("frame-ancestors 'none'");
  expect(STATUS_PAGE_CSP).not.toContain("unsafe");
  expect(STATUS_PAGE_HTML).not.toMatch(/\son\w+=|\sstyle=|<script\s|<link rel="stylesheet"/i);
  for (const [, url] of STATUS_PAGE_HTML.matchAll(/\s(?:src|href)="([^"]*)"/g)) expect(url).toStartWith("data:");
  expect(scripts[0]).not.toContain("innerHTML");
});

describe(BROWSER ? `the status page in ${BROWSER}` : `the status page in a browser (${NO_BROWSER})`, () => {
  browserTest(
    "shows the plan windows, login and traffic the proxy reports, follows new traffic by itself, and writes a screenshot",
    async () => {
      fake.setPlan({ status: "allowed", windows: { "5h": { utilization: 0.42 }, "7d": { utilization: 0.1 } } });
      const tokens = fake.issueTokens();
      await using proxy = await startProxy(fake, { tokens });
      expect((await send(proxy.url)).status).toBe(200);
      const usage = await getJson<UsageJson>(`${proxy.url}/usage`);
      const fiveHourReset = usage.accounts[0]!.windows.five_hour!.resets_at!;

      const tab = await openTab();
      const { page } = tab;
      const response = await page.goto(`${proxy.url}/`);
      expect(response!.status()).toBe(200);
      expect(response!.headers()["content-security-policy"]).toBe(STATUS_PAGE_CSP);
      expect(response!.headers()["content-type"]).toBe("text/html; charset=utf-8");

      await eventually(async () => expect(await valueNow(page, "5-hour")).toBe("42"), UPDATE_WAIT);
      const bar = page.getByRole("progressbar", { name: "5-hour", exact: true });
      expect(await bar.getAttribute("aria-valuemin")).toBe("0");
      expect(await bar.getAttribute("aria-valuemax")).toBe("100");
      expect(await bar.getAttribute("aria-valuetext")).toMatch(/^42 % used, resets /);
      // The fake's 5-hour window resets 3 h after it started: a clock time and a countdown, in words, not only colour.
      expect(await windowText(page, "5-hour")).toMatch(
        new RegExp(`^5-hour 42 % — resets (\\w{3} )?${clockOf(fiveHourReset)}, in (2 h \\d+ min|3 h)$`),
      );
      expect(await windowText(page, "7-day")).toMatch(/^7-day 10 % — resets \w{3} \d\d:\d\d, in \d d( \d+ h)?$/);
      expect(await valueNow(page, "7-day")).toBe("10");
      // The bar's drawn width follows the value (the style is set through the CSSOM, which the CSP allows).
      const widths = await page
        .locator(".window .fill")
        .evaluateAll((fills) => fills.map((f) => (f as unknown as { style: { width: string } }).style.width));
      expect(widths).toEqual(["42%", "10%"]);
      expect(await page.locator("#login").textContent()).toContain("Logged in with a Claude subscription");

      let status = await getJson<StatusJson>(`${proxy.url}/status.json`);
      const [model, counts] = Object.entries(status.models)[0]!;
      expect(counts.requests).toBe(1);
      await eventually(async () =>
        expect(await modelRow(page, model)).toEqual(
          [counts.requests, counts.tokens.input, counts.tokens.output, counts.tokens.cache_read, counts.tokens.cache_write].map((n) =>
            n.toLocaleString("en-US"),
          ),
        ),
      );
      expect(await page.locator("#streams").textContent()).toBe("0 streams open now.");

      // New traffic, and nobody touches the page: it must catch up by itself.
      fake.setPlan({ windows: { "5h": { utilization: 0.55 } } });
      fake.fault({ status: 529 });
      expect((await send(proxy.url)).status).toBe(529);
      expect((await send(proxy.url)).status).toBe(200);
      await eventually(async () => expect(await valueNow(page, "5-hour")).toBe("55"), UPDATE_WAIT);
      expect(await windowText(page, "5-hour")).toStartWith("5-hour 55 % — resets ");
      status = await getJson<StatusJson>(`${proxy.url}/status.json`);
      expect(status.models[model]!.requests).toBe(3);
      await eventually(async () => expect((await modelRow(page, model))[0]).toBe("3"), UPDATE_WAIT);
      const errorItem = page.locator("#errors li", { hasText: "/v1/messages" });
      expect(await errorItem.textContent()).toMatch(/^\d\d:\d\d:\d\d · \/v1\/messages · 529 \S/);

      // A stream held open by a slow upstream shows as open; "Refresh now" asks at once.
      fake.fault({ kind: "drip", delayMs: 2000 });
      const controller = new AbortController();
      const streaming = await fetch(`${proxy.url}/v1/messages`, {
        method: "POST",
        signal: controller.signal,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "l", max_tokens: 16, stream: true, messages: [{ role: "user", content: PROMPT }] }),
      });
      await streaming.body!.getReader().read();
      await page.getByRole("button", { name: "Refresh now" }).click();
      await eventually(async () => expect(await page.locator("#streams").textContent()).toBe("1 stream open now."));
      controller.abort();
      await eventually(async () => {
        await page.getByRole("button", { name: "Refresh now" }).click();
        expect(await page.locator("#streams").textContent()).toBe("0 streams open now.");
      });

      // What the page shows is counts and states only: never a prompt or a credential.
      const text = (await page.locator("body").textContent())!;
      expect(text).not.toContain(PROMPT);
      for (const secret of [tokens.access_token, tokens.refresh_token]) expect(text).not.toContain(secret);
      expect(await problemsOf(tab)).toEqual([]);

      mkdirSync(OUTPUT_DIR, { recursive: true });
      const screenshot = join(OUTPUT_DIR, "status-page.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
      console.log(`status page screenshot: ${screenshot}`);
      await page.close();
    },
    PAGE_TIMEOUT,
  );

  browserTest(
    "with proxy API keys: asks for a key, refuses a wrong one, shows the data once a right one is entered; the key goes in a header, never a URL",
    async () => {
      const KEY = "status-page-proxy-key-0123456789";
      fake.setPlan({ status: "allowed", windows: { "5h": { utilization: 0.42 }, "7d": { utilization: 0.1 } } });
      await using proxy = await startProxy(fake, { tokens: fake.issueTokens(), env: { MAXIMIZE_API_KEYS: KEY } });
      expect((await send(proxy.url, { "x-api-key": KEY })).status).toBe(200);
      expect((await fetch(`${proxy.url}/usage`)).status).toBe(401);

      const tab = await openTab();
      const { page, requests } = tab;
      expect((await page.goto(`${proxy.url}/`))!.status()).toBe(200);
      const input = page.getByLabel("Proxy API key");
      await input.waitFor({ state: "visible" });
      expect(await page.locator("#data").isHidden()).toBe(true);
      expect(await page.getByRole("progressbar").count()).toBe(0);

      await input.fill("not-a-key-of-this-server");
      await page.getByRole("button", { name: "Show status" }).click();
      await page.getByText("That key was refused").waitFor({ state: "visible" });
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.length)).toBe(0);

      await input.fill(KEY);
      await input.press("Enter");
      await eventually(async () => expect(await valueNow(page, "5-hour")).toBe("42"), UPDATE_WAIT);
      expect(await page.locator("#key-form").isHidden()).toBe(true);
      expect(await windowText(page, "5-hour")).toStartWith("5-hour 42 % — resets ");

      // The key travels as x-api-key to this server only, and is kept no longer than the tab's session.
      const dataRequests = requests.filter((r) => /\/(usage|status\.json)$/.test(new URL(r.url).pathname));
      expect(dataRequests.filter((r) => r.headers["x-api-key"] === KEY).length).toBeGreaterThanOrEqual(2);
      for (const request of requests) {
        expect(request.url).not.toContain(KEY);
        expect(new URL(request.url).origin).toBe(proxy.url);
      }
      expect(page.url()).toBe(`${proxy.url}/`);
      const storage = await page.evaluate(() => {
        const { sessionStorage, localStorage, document } = globalThis as unknown as InPage;
        return { session: sessionStorage.getItem("maximize.proxyKey"), local: localStorage.length, cookie: document.cookie };
      });
      expect(storage).toEqual({ session: KEY, local: 0, cookie: "" });
      expect(await page.locator("body").textContent()).not.toContain(KEY);

      // Same tab, reloaded: the session still has the key, so no prompt; "Forget the key" asks again.
      await page.reload();
      await eventually(async () => expect(await valueNow(page, "5-hour")).toBe("42"), UPDATE_WAIT);
      await page.getByRole("button", { name: "Forget the key" }).click();
      await input.waitFor({ state: "visible" });
      expect(await page.getByText("That key was refused").isHidden()).toBe(true);
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.length)).toBe(0);
      expect(await problemsOf(tab)).toEqual([]);
      await page.close();
    },
    PAGE_TIMEOUT,
  );

  browserTest(
    "an endpoint answering an error or no JSON: the page says which and why, keeps running, and recovers",
    async () => {
      await using proxy = await startProxy(fake); // not logged in
      const tab = await openTab();
      const { page } = tab;
      // Answers no real proxy gives on purpose, so the browser makes them up; the proxy still serves the page.
      await page.route("**/usage", (route) =>
        route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ type: "error", error: { type: "api_error", message: "the usage endpoint is down" } }),
        }),
      );
      await page.route("**/status.json", (route) => route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad gateway</h1>" }));
      await page.goto(`${proxy.url}/`);
      await page.getByText("Could not read the plan: /usage answered 503: the usage endpoint is down").waitFor();
      expect(await page.locator("#login").textContent()).toBe("Could not read the status: /status.json answered 502 (not JSON)");
      expect(await page.locator("body").textContent()).not.toContain("Bad gateway");

      await page.unrouteAll();
      await page.getByRole("button", { name: "Refresh now" }).click();
      await page.getByText("Not logged in: run maximize login").waitFor();
      expect(await page.locator("#plans").textContent()).toStartWith("No plan data yet");
      expect(await page.locator("#models").textContent()).toBe("No requests since maximize started.");
      expect(await problemsOf(tab)).toEqual([]);
      await page.close();
    },
    PAGE_TIMEOUT,
  );
  browserTest(
    "a long-lived token is not 'renewed automatically'; a dead login says so",
    async () => {
      const { access_token } = fake.issueTokens({ expiresIn: 365 * 86400 });
      const tokens = { access_token, refresh_token: null, expires_at: Math.floor(Date.now() / 1000) + 30 * 86400 };
      {
        await using proxy = await startProxy(fake, { tokens });
        const tab = await openTab();
        await tab.page.goto(`${proxy.url}/`);
        await tab.page.getByText("make a new one with claude setup-token before then").waitFor();
        expect(await tab.page.locator("#login").textContent()).not.toContain("renewed");
        expect(await problemsOf(tab)).toEqual([]);
        await tab.page.close();
      }
      fake.revokeAccessToken(access_token);
      await using proxy = await startProxy(fake, { tokens });
      const refused = await fetch(`${proxy.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "l", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
      });
      expect(refused.status).toBe(401);
      const tab = await openTab();
      await tab.page.goto(`${proxy.url}/`);
      await tab.page.getByText("The Claude login expired or was revoked: run maximize login.").waitFor();
      expect(await tab.page.locator("#login").textContent()).toContain("Problem: login refused — the API answered 401");
      expect(await problemsOf(tab)).toEqual([]);
      await tab.page.close();
    },
    PAGE_TIMEOUT,
  );

  browserTest(
    "with several accounts: each one's kind, state, cooldown and requests",
    async () => {
      const resetsAt = Math.floor(Date.now() / 1000) + 3600;
      await using proxy = await startProxy(fake, {
        tokens: fake.issueTokens(),
        accounts: { work: fake.issueTokens({ account: "work" }) },
        edit: (config) => {
          config.accounts.order = ["default"];
        },
      });
      fake.setPlan({ status: "rejected", windows: { "5h": { utilization: 1, resetsAt } } });
      try {
        expect((await send(proxy.url)).status).toBe(200); // moved to work
      } finally {
        fake.setPlan({ status: "allowed", windows: { "5h": { utilization: 0.42 } } });
      }
      const tab = await openTab();
      await tab.page.goto(`${proxy.url}/`);
      await tab.page.getByText("1 of 2 accounts take new requests.").waitFor();
      const lines = await tab.page.locator("#login li").allTextContents();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /^default — Claude login · cooling down · until \d\d:\d\d \(plan limit: 5-hour\) · 100 % of its fullest window used · \d+ requests$/,
      );
      expect(lines[1]).toMatch(/^work — Claude login · ready · .*\d+ requests$/);
      expect(await problemsOf(tab)).toEqual([]);
      await tab.page.close();
    },
    PAGE_TIMEOUT,
  );
});
