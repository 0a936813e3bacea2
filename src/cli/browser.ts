/** Opening a URL in the user's browser, best effort: callers always show the URL as well. */

export type Launch = (argv: string[]) => Promise<boolean>;

/** The commands to try, in order, for this platform; none when there is no display to open a browser on. */
export function browserCommands(url: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): string[][] {
  if (platform === "darwin") return [["open", url]];
  if (platform === "win32") return [["rundll32", "url.dll,FileProtocolHandler", url]];
  const wsl = Boolean(env.WSL_DISTRO_NAME);
  // Without a display, xdg-open falls back to a text browser that would take over this terminal.
  if (!wsl && !env.DISPLAY && !env.WAYLAND_DISPLAY) return [];
  return wsl
    ? [
        ["wslview", url],
        ["xdg-open", url],
      ]
    : [["xdg-open", url]];
}

/** Runs one opener; true when it started and did not fail within a few seconds. */
export const launch: Launch = async (argv) => {
  let child: ReturnType<typeof Bun.spawn>;
  try {
    child = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  } catch {
    return false;
  }
  const timer = Bun.sleep(3000).then(() => "running" as const);
  const outcome = await Promise.race([child.exited, timer]);
  if (outcome === "running") {
    child.unref();
    return true;
  }
  return outcome === 0;
};

export async function openBrowser(
  url: string,
  options: { platform?: NodeJS.Platform; env?: Record<string, string | undefined>; launch?: Launch } = {},
): Promise<boolean> {
  const run = options.launch ?? launch;
  for (const argv of browserCommands(url, options.platform ?? process.platform, options.env ?? process.env)) {
    if (await run(argv)) return true;
  }
  return false;
}
