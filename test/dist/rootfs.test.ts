// The Docker image without a Docker engine: scripts/rootfs.sh (the script the Dockerfile's rootfs stage runs)
// builds the image's root filesystem, and the binary runs in it with chroot as the image's non-root user, with the
// Dockerfile's own ENV, ENTRYPOINT, CMD and HEALTHCHECK, as PID 1 of a fresh PID namespace with /proc mounted
// (what the container runtime adds).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chownSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic.ts";
import { freePort, requireBinary, waitForHealthy } from "../support/binary.ts";
import { REPO, type RunResult, missingTools, removeTempDirs, run, skipBecause, tempDir } from "./helpers.ts";

const UID = 10001;
const API_KEY = "rootfs-test-proxy-key";
const missing = missingTools(["unshare", "chroot", "ldd"]);
const reason =
  process.getuid?.() !== 0
    ? "needs root (chroot, chown, unshare); CI runs it with sudo"
    : missing.length > 0
      ? `missing ${missing.join(", ")} (apt-get install -y util-linux coreutils libc-bin)`
      : undefined;
const skip = skipBecause("rootfs/chroot tests", reason);

interface FinalStage {
  instructions: { name: string; args: string }[];
  env: Record<string, string>;
  user: string;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

/** The last stage of the Dockerfile, with continuation lines joined. */
function parseFinalStage(text: string): FinalStage {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const start = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  const instructions = lines.slice(start).map((line) => {
    const [name = "", ...rest] = line.split(/\s+/);
    return { name: name.toUpperCase(), args: rest.join(" ") };
  });
  const arg = (name: string) => instructions.find((instruction) => instruction.name === name)?.args ?? "";
  const env = Object.fromEntries(
    instructions.filter((i) => i.name === "ENV").flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split("=", 2))),
  );
  const healthcheck = JSON.parse(arg("HEALTHCHECK").replace(/^.*?\bCMD\s+/, "")) as string[];
  return { instructions, env, user: arg("USER"), entrypoint: JSON.parse(arg("ENTRYPOINT")), cmd: JSON.parse(arg("CMD")), healthcheck };
}

const stage = parseFinalStage(readFileSync(join(REPO, "Dockerfile"), "utf8"));
let root: string;
let listing: string[];
let fake: FakeAnthropic;
const containers: Bun.Subprocess[] = [];

/** Every path under `dir` with its type, mode and owner: "path type mode uid". */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false }) ?? statSync(path);
      const entry = `/${relative(base, path)} ${stat.isDirectory() ? "dir" : "file"} ${(stat.mode & 0o7777).toString(8)} ${stat.uid}`;
      return stat.isDirectory() ? [entry, ...walk(path, base)] : [entry];
    });
}

/** Like `docker run IMAGE args…`: the image's ENTRYPOINT as its USER in the root, as PID 1 of a new PID namespace. */
function containerCommand(args: string[]): string[] {
  const [unshare = "unshare", chroot = "chroot"] = [Bun.which("unshare"), Bun.which("chroot")].map((path) => path ?? undefined);
  const namespaces = [unshare, "--mount", "--pid", "--fork", "--kill-child", `--mount-proc=${join(root, "proc")}`, "--"];
  return [...namespaces, chroot, `--userspec=${stage.user}`, root, ...stage.entrypoint, ...args];
}

interface Container {
  process: Bun.Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  env: Record<string, string>;
  log(): Promise<string>;
}

/** Starts `serve` (the image's CMD) with the Dockerfile's ENV plus `extra`, and waits for /healthz. */
async function startContainer(extra: Record<string, string>): Promise<Container> {
  const port = freePort();
  const env = {
    ...stage.env,
    MAXIMIZE_PORT: String(port),
    MAXIMIZE_UPSTREAM_URL: fake.url,
    MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl,
    ...extra,
  };
  const child = Bun.spawn(containerCommand(stage.cmd), { env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  containers.push(child);
  const url = `http://127.0.0.1:${port}`;
  const log = async () => (await new Response(child.stdout).text()) + (await new Response(child.stderr).text());
  await waitForHealthy(`${url}/healthz`).catch(async (error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${await log()}`);
  });
  return { process: child, url, env, log };
}

/** `docker exec`-style run of the image's HEALTHCHECK command with the container's environment. */
async function healthcheck(container: Container): Promise<RunResult> {
  const [, ...args] = stage.healthcheck;
  return run(containerCommand(args), { env: container.env });
}

/** SIGTERM to the PID 1 inside the namespace (a child of unshare), as `docker stop` sends it. */
async function stopContainer(container: Container): Promise<number> {
  const pid = container.process.pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).map(Number);
  for (const child of children) {
    const nspid = readFileSync(`/proc/${child}/status`, "utf8")
      .match(/^NSpid:\s+(.*)$/m)?.[1]
      ?.split(/\s+/);
    expect(nspid?.at(-1)).toBe("1");
    process.kill(child, "SIGTERM");
  }
  const timeout = Bun.sleep(12_000).then(() => "timeout" as const);
  const code = await Promise.race([container.process.exited, timeout]);
  if (code === "timeout") throw new Error("PID 1 did not stop on SIGTERM");
  return code;
}

const ask = (container: Container, key?: string) =>
  fetch(`${container.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...(key ? { "x-api-key": key } : {}) },
    body: JSON.stringify({ model: "l", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] }),
  });

const readTokens = () =>
  JSON.parse(readFileSync(join(root, "data", "tokens.json"), "utf8")) as { access_token: string; refresh_token: string };

beforeAll(async () => {
  if (skip) return;
  root = join(tempDir("rootfs"), "root");
  const result = await run(["sh", join(REPO, "scripts", "rootfs.sh"), requireBinary(), root]);
  if (result.exitCode !== 0) throw new Error(`rootfs.sh failed: ${result.stderr}`);
  listing = walk(root);
  // What the container runtime adds at run time: the /proc mount point.
  mkdirSync(join(root, "proc"));
  fake = await startFakeAnthropic();
}, 60_000);

afterAll(async () => {
  for (const child of containers) child.kill("SIGKILL");
  await Promise.all(containers.map((child) => child.exited));
  await fake?.close();
  removeTempDirs();
});

describe("the Dockerfile", () => {
  test("the Dockerfile's final stage is FROM scratch plus one COPY of /rootfs, run as uid 10001 with exec-form ENTRYPOINT/CMD", () => {
    const names = stage.instructions.map((instruction) => instruction.name);
    expect(stage.instructions[0]).toEqual({ name: "FROM", args: "scratch" });
    expect(stage.instructions.filter((i) => ["COPY", "ADD", "RUN"].includes(i.name))).toEqual([
      { name: "COPY", args: "--from=rootfs /rootfs/ /" },
    ]);
    expect(names).toContain("VOLUME");
    expect(stage.user).toBe(`${UID}:${UID}`);
    expect(stage.entrypoint).toEqual(["/usr/local/bin/maximize"]);
    expect(stage.cmd).toEqual(["serve"]);
    expect(stage.healthcheck).toEqual(["/usr/local/bin/maximize", "health"]);
    expect(stage.env).toMatchObject({ MAXIMIZE_BIND_ADDRESS: "0.0.0.0", MAXIMIZE_TOKEN_FILE: "/data/tokens.json" });
    expect(readFileSync(join(REPO, "Dockerfile"), "utf8")).toContain("RUN sh /rootfs.sh /out/maximize /rootfs");
  });
});

describe.skipIf(skip)("the scratch image's root filesystem (scripts/rootfs.sh), run with chroot", () => {
  test("holds exactly the binary, the loader and libc family, accounts, /data (10001, 0700) and /tmp (1777)", () => {
    const fixed = listing.filter((entry) => !/^\/(lib|lib64|usr\/lib)(\/|\s)/.test(entry));
    expect(fixed).toEqual([
      "/data dir 700 10001",
      "/etc dir 755 0",
      "/etc/group file 644 0",
      "/etc/nsswitch.conf file 644 0",
      "/etc/passwd file 644 0",
      "/tmp dir 1777 0",
      "/usr dir 755 0",
      "/usr/local dir 755 0",
      "/usr/local/bin dir 755 0",
      "/usr/local/bin/maximize file 755 0",
    ]);
    const libraries = listing
      .filter((entry) => entry.includes(" file ") && !fixed.includes(entry))
      .map((entry) => entry.split(" ")[0]?.split("/").pop());
    for (const library of libraries)
      expect(library).toMatch(/^(ld-linux-[\w-]+\.so\.\d|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2)$/);
    expect(libraries.some((library) => library?.startsWith("ld-linux"))).toBe(true);
    expect(readFileSync(join(root, "etc", "passwd"), "utf8")).toContain(`maximize:x:${UID}:${UID}:maximize:/data:/sbin/nologin`);
    expect(() => readlinkSync(join(root, "usr", "local", "bin", "maximize"))).toThrow();
  });

  test("--version runs as the non-root user", async () => {
    const result = await run(containerCommand(["--version"]), { env: stage.env });
    expect(result).toMatchObject({ exitCode: 0, stdout: `${pkg.version}\n` });
  });

  test("the image lets Bun's fetch carry 4096 upstream requests at once (it reads the cap only at start: BENCHMARKS.md)", () => {
    expect(stage.env.BUN_CONFIG_MAX_HTTP_REQUESTS).toBe("4096");
  });

  test("update refuses inside the image (the Dockerfile's MAXIMIZE_IN_CONTAINER) and says to pull the image", async () => {
    expect(stage.env.MAXIMIZE_IN_CONTAINER).toBe("1");
    const result = await run(containerCommand(["update"]), { env: stage.env });
    expect(result.stderr).toContain("maximize runs from its container image here");
    expect(result.stderr).toContain("docker pull");
    expect(result.exitCode).toBe(1);
  });

  test("serve refuses 0.0.0.0 with neither a proxy API key nor MAXIMIZE_ALLOW_OPEN=1", async () => {
    const result = await run(containerCommand(stage.cmd), { env: { ...stage.env, MAXIMIZE_PORT: String(freePort()) } });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("MAXIMIZE_API_KEYS");
  });

  test("serve + /healthz + a proxied request with the refreshed token persisted in /data; SIGTERM to PID 1; a restart reuses the token", async () => {
    const issued = fake.issueTokens({ expiresIn: 60 });
    const tokenFile = join(root, "data", "tokens.json");
    writeFileSync(tokenFile, JSON.stringify(issued), { mode: 0o600 });
    chownSync(tokenFile, UID, UID);

    const first = await startContainer({ MAXIMIZE_API_KEYS: API_KEY });
    expect(await fetch(`${first.url}/healthz`).then((response) => response.json())).toMatchObject({
      status: "ok",
      version: pkg.version,
      logged_in: true,
    });
    expect((await ask(first)).status).toBe(401);
    const response = await ask(first, API_KEY);
    const body = (await response.json()) as { content: { text: string }[] };
    expect(response.status).toBe(200);
    expect(body.content[0]?.text).toBe("Hello from claude-sonnet-5-5! You said: Hi");
    expect(fake.refreshCalls).toBe(1);
    const refreshed = readTokens();
    expect(refreshed.access_token).not.toBe(issued.access_token);
    const stat = statSync(tokenFile);
    expect({ uid: stat.uid, mode: (stat.mode & 0o777).toString(8) }).toEqual({ uid: UID, mode: "600" });

    expect((await healthcheck(first)).exitCode).toBe(0);
    expect(await stopContainer(first)).toBe(0);
    expect((await healthcheck(first)).exitCode).toBe(1);
    expect(await first.log()).toContain("SIGTERM received");

    const second = await startContainer({ MAXIMIZE_API_KEYS: API_KEY });
    expect((await ask(second, API_KEY)).status).toBe(200);
    expect(fake.refreshCalls).toBe(1);
    expect(readTokens().access_token).toBe(refreshed.access_token);
    expect(await stopContainer(second)).toBe(0);
  }, 60_000);

  test("headless two-step login inside the container (login --print-url, then login --code), then a proxied request", async () => {
    const env = { ...stage.env, ...oauthEnv() };
    const step1 = await run(containerCommand(["login", "--print-url"]), { env });
    expect(step1.exitCode).toBe(0);
    const url = (step1.stdout + step1.stderr).match(/http:\/\/127\.0\.0\.1:\d+\/\S+/)?.[0] ?? "";
    expect(url).toStartWith(fake.authorizeUrl);
    const pasted = (await fetch(url).then((response) => response.text())).trim();
    const step2 = await run(containerCommand(["login", "--code", pasted]), { env });
    expect(step2.stdout + step2.stderr).not.toContain("error");
    expect(step2.exitCode).toBe(0);
    expect(statSync(join(root, "data", "tokens.json")).uid).toBe(UID);

    const container = await startContainer({ MAXIMIZE_API_KEYS: API_KEY });
    expect((await ask(container, API_KEY)).status).toBe(200);
    expect(await stopContainer(container)).toBe(0);
  }, 60_000);

  test("login --token inside the container stores a long-lived token the server then uses", async () => {
    const token = fake.issueTokens().access_token;
    const login = await run(containerCommand(["login", "--token", token]), { env: { ...stage.env, ...oauthEnv() } });
    expect(login.exitCode).toBe(0);
    expect(readTokens().access_token).toBe(token);

    const container = await startContainer({ MAXIMIZE_API_KEYS: API_KEY });
    expect((await ask(container, API_KEY)).status).toBe(200);
    expect(await stopContainer(container)).toBe(0);
  }, 60_000);
});

const oauthEnv = (): Record<string, string> => ({
  MAXIMIZE_UPSTREAM_URL: fake.url,
  MAXIMIZE_OAUTH_AUTHORIZE_URL: fake.authorizeUrl,
  MAXIMIZE_OAUTH_TOKEN_URL: fake.tokenUrl,
  MAXIMIZE_OAUTH_REDIRECT_URI: fake.redirectUri,
  MAXIMIZE_OAUTH_CLIENT_ID: fake.clientId,
});
