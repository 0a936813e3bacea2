import { expect, test } from "bun:test";
import { clientClosed, failedMidResponse, timeoutReason, whyAborted } from "../../src/upstream/failures.ts";

test("whyAborted: the client's leaving wins over our timeout, our timeout over a failure", () => {
  const aborted = (reason?: unknown) => {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  };
  const live = new AbortController().signal;
  expect(whyAborted(aborted(), aborted(timeoutReason()))).toBe("client");
  expect(whyAborted(live, aborted(timeoutReason()))).toBe("timeout");
  expect(whyAborted(undefined, aborted(new Error("reset")))).toBe("failure");
  expect(whyAborted(live, live)).toBe("failure");
});

test("the messages and statuses", () => {
  expect(clientClosed().status).toBe(499);
  expect(failedMidResponse(new Error("socket hang up"))).toMatchObject({ status: 502, message: expect.stringContaining("socket hang up") });
});
