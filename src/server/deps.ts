import type { AccountPool } from "../accounts/pool.ts";
import type { Config } from "../config/load.ts";
import type { ModelCatalogue } from "../models/catalogue.ts";
import type { PlanTracker } from "../plan/tracker.ts";
import type { UsageReader } from "../plan/usage-api.ts";
import type { ReasoningSeal } from "../openai/responses/seal.ts";
import type { ResponseStore } from "../openai/responses/store.ts";
import type { ThinkingCache } from "../openai/thinking-cache.ts";
import type { Upstream } from "../upstream/upstream.ts";
import type { Logger } from "../shared/log.ts";
import type { AccessNote } from "./access-log.ts";
import type { Metrics } from "./metrics.ts";

/** Everything the HTTP app needs, passed in: no module keeps global state. */
export interface AppDeps {
  config: Config;
  /** The accounts requests are sent with: the pool picks one per request (it is the `upstream` routes send through). */
  accounts: AccountPool;
  upstream: Upstream;
  /** Anthropic's model catalogue: nicknames resolve against it. */
  models: ModelCatalogue;
  /** Signed thinking kept between the turns of OpenAI tool loops. */
  thinking: ThinkingCache;
  /** Recent Responses API answers, for previous_response_id and item_reference. */
  responses: ResponseStore;
  /** Seals reasoning items' encrypted_content (the key outlives restarts). */
  seal: ReasoningSeal;
  /** The subscription plan as the upstream answers' headers tell it. */
  plan: PlanTracker;
  /** The usage endpoint, per account, for when no answer has told its plan yet. */
  usage: (account: string) => UsageReader;
  log: Logger;
  metrics: Metrics;
  /** True once the server is closing the connections still open (shutdown): a response cut then was cut by us. */
  closing?: () => boolean;
}

/** What every route module receives: the app's dependencies plus the request's note for the access-log line. */
export interface RouteDeps extends AppDeps {
  access(request: Request): AccessNote;
  /** The last few errors answered (route, status, message: never a prompt, an answer or a secret). */
  recentErrors(): RecentError[];
}

export interface RecentError {
  at: string;
  route: string;
  status: number;
  message: string;
}
