import { expect, test } from "bun:test";
import { LoginError } from "../../src/auth/login.ts";
import { OAuthError } from "../../src/auth/oauth.ts";
import { TokenFileError } from "../../src/auth/store.ts";
import { CommandError, UsageError } from "../../src/cli/ui.ts";
import { ConfigError } from "../../src/config/load.ts";
import { ServeError } from "../../src/server/serve.ts";
import { ApiError, AuthError, UserError } from "../../src/shared/errors.ts";

test("every error a person may see is a UserError, so the CLI prints it as one line (never a stack)", () => {
  const made = [
    new LoginError("x"),
    new OAuthError("rejected", "x"),
    new TokenFileError("x"),
    new CommandError("x"),
    new UsageError("x"),
    new ConfigError("x"),
    new ServeError("x"),
    new AuthError("login_dead", "x"),
  ];
  for (const error of made) expect([error.name, error instanceof UserError]).toEqual([error.name, true]);
});

test("ApiError renders both API shapes, error.details included", () => {
  const error = new ApiError(429, "no credits", { details: { error_code: "credits_required" } });
  expect(error.toAnthropic("req_1")).toEqual({
    type: "error",
    error: { type: "rate_limit_error", message: "no credits", details: { error_code: "credits_required" } },
    request_id: "req_1",
  });
  expect(error.toOpenAI()).toEqual({
    error: {
      message: "no credits",
      type: "rate_limit_error",
      param: null,
      code: "credits_required",
      details: { error_code: "credits_required" },
    },
  });
});
