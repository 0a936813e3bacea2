/**
 * Imported first by src/index.ts, before any library looks at the environment. `FORCE_COLOR=0` (or `false`) means
 * "no colour" to Node and most tools, but picocolors reads any FORCE_COLOR as "force": say it the way every library
 * understands, NO_COLOR. Mutating the environment is the only way to reach the libraries' own colour checks.
 */
export function normaliseColourEnv(env: Record<string, string | undefined>): void {
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  if (force !== "0" && force !== "false") return;
  delete env.FORCE_COLOR;
  env.NO_COLOR = "1";
}

normaliseColourEnv(process.env);
