import { expect, test } from "bun:test";
import { browserCommands, launch, openBrowser } from "../../src/cli/browser.ts";

const URL_ = "https://claude.com/cai/oauth/authorize?x=1";

test.each<[string, NodeJS.Platform, Record<string, string>, string[][]]>([
  ["macOS", "darwin", {}, [["open", URL_]]],
  ["Windows", "win32", {}, [["rundll32", "url.dll,FileProtocolHandler", URL_]]],
  ["Linux with a display", "linux", { DISPLAY: ":0" }, [["xdg-open", URL_]]],
  ["Linux on Wayland", "linux", { WAYLAND_DISPLAY: "wayland-0" }, [["xdg-open", URL_]]],
  [
    "WSL",
    "linux",
    { WSL_DISTRO_NAME: "Debian" },
    [
      ["wslview", URL_],
      ["xdg-open", URL_],
    ],
  ],
  ["a headless server: nothing (a text browser would take over the terminal)", "linux", {}, []],
])("%s", (_name, platform, env, expected) => {
  expect(browserCommands(URL_, platform, env)).toEqual(expected);
});

test("openBrowser tries the openers in order and stops at the first that works", async () => {
  const tried: string[] = [];
  const opened = await openBrowser(URL_, {
    platform: "linux",
    env: { WSL_DISTRO_NAME: "Debian" },
    launch: async (argv) => {
      tried.push(argv[0]!);
      return argv[0] === "xdg-open";
    },
  });
  expect(opened).toBe(true);
  expect(tried).toEqual(["wslview", "xdg-open"]);
});

test("launch: a program that fails is false, one that succeeds is true, one that is missing is false", async () => {
  expect(await launch(["false"])).toBe(false);
  expect(await launch(["true"])).toBe(true);
  expect(await launch(["/nonexistent/opener"])).toBe(false);
});
