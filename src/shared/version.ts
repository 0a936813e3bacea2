import pkg from "../../package.json" with { type: "json" };

declare const MAXIMIZE_VERSION: string | undefined;

/** Injected by scripts/build.ts with `define`; falls back to package.json when run from source. */
export const VERSION: string = typeof MAXIMIZE_VERSION === "string" ? MAXIMIZE_VERSION : pkg.version;
