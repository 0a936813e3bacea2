/**
 * Imported first by src/index.ts, before any library looks at the environment. `FORCE_COLOR=0` (or `false`) means
 * "no colour" to Node and most tools, but picocolors reads any FORCE_COLOR as "force": say it the way every library
 * understands, NO_COLOR. Mutating the environment is the only way to reach the libraries' own colour checks, and it
 * must happen on import: index.ts's other imports (and the libraries they load) are evaluated before its body runs.
 */
export function normaliseColourEnv(env: Record<string, string | undefined>): void {
  // An empty NO_COLOR means "not set" (no-color.org); picocolors would read its mere presence as "no colour".
  if (env.NO_COLOR === "") delete env.NO_COLOR;
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  if (force !== "0" && force !== "false") return;
  delete env.FORCE_COLOR;
  env.NO_COLOR = "1";
}

normaliseColourEnv(process.env);
