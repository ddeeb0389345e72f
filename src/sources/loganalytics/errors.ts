/**
 * Errors from Log Analytics, as one sentence fit for a chat reply: no token, no stack, no
 * response body. The original error stays on `cause` for logs.
 */
export class LogAnalyticsError extends Error {
  override name = "LogAnalyticsError";
}

interface Errorish {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
}

/** Turn whatever the SDK or the credential threw into a LogAnalyticsError. */
export function explainError(e: unknown, workspaceId: string, timeouts: { server: number; client: number }): LogAnalyticsError {
  if (e instanceof LogAnalyticsError) return e;
  const err = (typeof e === "object" && e !== null ? e : { message: String(e) }) as Errorish;
  const status = err.statusCode;
  const name = err.name ?? "";
  const code = err.code ?? "";
  let message: string;
  if (status === 403) {
    message = `netrca's identity has no read access to workspace ${workspaceId} (it needs the Log Analytics Reader role)`;
  } else if (status === 401 || name === "CredentialUnavailableError" || name === "AuthenticationError" || name === "AggregateAuthenticationError") {
    message = `netrca could not sign in to Azure: ${shortReason(err.message)}`;
  } else if (status === 404) {
    message = `workspace ${workspaceId} not found`;
  } else if (status === 504 || status === 408 || /timeout/i.test(code) || name === "AbortError" || name === "TimeoutError") {
    const seconds = status === undefined ? timeouts.client : timeouts.server;
    message = `Log Analytics did not answer within ${Number(seconds.toFixed(1))} s: ask about a shorter time or a narrower scope`;
  } else if (status === 429) {
    message = "Log Analytics is throttling netrca's queries (still after retries): try again in a minute";
  } else if (status === 400) {
    message = `Log Analytics refused the query: ${shortReason(err.message)}`;
  } else if (status !== undefined) {
    message = `Log Analytics answered HTTP ${status}: ${shortReason(err.message)}`;
  } else {
    message = `Log Analytics could not be reached: ${shortReason(err.message)}`;
  }
  return new LogAnalyticsError(message, { cause: e });
}

/** The first sentence of a message, without anything that looks like a token, at most 200 chars. */
export function shortReason(message: string | undefined): string {
  const first = (message ?? "unknown error").split(/\r?\n/)[0]!.split(/(?<=\.)\s/)[0]!;
  const clean = first
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[token]")
    .replace(/(bearer\s+)\S+/gi, "$1[token]")
    .trim();
  return (clean.length > 200 ? `${clean.slice(0, 199)}…` : clean).replace(/\.$/, "") || "unknown error";
}
