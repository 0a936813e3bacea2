/** The fetch function every module that makes HTTP calls takes as a dependency (tests pass a local server's). */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
