// A remote target read through an HTTP store: a Hub repo (the revision API once, then every
// file at the pinned commit) or a URL (a weights file, or an index and the shards beside it).
// Loaded only for remote targets (dynamic import), so that local inspection never pays for it.

import { InspectError } from "../core/errors.js";
import { fetchRevision, type HubRef, type HubRevision } from "../hub/api.js";
import { hubEndpoint, hubTimeoutMs, hubToken } from "../hub/settings.js";
import { HttpClient, originOf, type HttpClientOptions } from "../sources/http-client.js";
import { HubStore, UrlStore, type RemoteSource } from "../store/remote.js";
import type { Checkpoint } from "./checkpoint.js";
import { readCheckpoint, type LoadOptions } from "./load.js";

export type RemoteTarget =
  { kind: "hub"; repo: string; revision: string } | { kind: "url"; url: URL };

export interface RemoteOptions extends LoadOptions {
  env: NodeJS.ProcessEnv;
  /** Requests in flight at once (--concurrency). */
  concurrency?: number;
  /** `inspect/<version>`. */
  userAgent: string;
}

const OFFLINE_HINT = "or, with a copy in the local cache, set HF_HUB_OFFLINE=1 to read it";

function client(o: RemoteOptions, unreachableHint?: string): HttpClient {
  const endpoint = hubEndpoint(o.env);
  const token = hubToken(o.env);
  const options: HttpClientOptions = {
    userAgent: o.userAgent,
    idleTimeoutMs: hubTimeoutMs(o.env),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(unreachableHint ? { unreachableHint } : {}),
  };
  // The token goes to the endpoint's own origin only, whatever the target.
  if (token) options.credentials = { origin: originOf(endpoint), token: token.value };
  return new HttpClient(options);
}

const failed = (target: string, e: InspectError, source: RemoteSource): Checkpoint => ({
  target,
  kind: "file",
  files: [],
  findings: [e.toFinding(target)],
  source,
});

export async function readRemote(
  target: string,
  what: RemoteTarget,
  o: RemoteOptions,
): Promise<Checkpoint> {
  if (what.kind === "url") {
    const c = client(o);
    const segments = what.url.pathname.split("/");
    const name = decodeSegment(segments[segments.length - 1] ?? "") || "index";
    // A token only ever goes to the endpoint's origin (client), so it may be a Hub URL's.
    const store = new UrlStore(c, what.url, name, hubToken(o.env) !== undefined);
    const plan = name.endsWith(".safetensors.index.json")
      ? ({ kind: "index", dir: ".", index: name } as const)
      : ({ kind: "file", path: name } as const);
    const cp = await readCheckpoint(store, target, plan, o);
    if (store.failure) return failed(target, store.failure, store.source());
    return { ...cp, source: store.source() };
  }
  const endpoint = hubEndpoint(o.env);
  const c = client(o, OFFLINE_HINT);
  const ref: HubRef = { endpoint, repo: what.repo, revision: what.revision };
  const hasToken = hubToken(o.env) !== undefined;
  const hub = (): RemoteSource => ({
    kind: "hub",
    endpoint,
    repo: what.repo,
    revision: what.revision,
    requests: c.stats.requests,
    bytesTransferred: c.stats.bytes,
  });
  let revision;
  try {
    revision = await fetchRevision(c, ref, hasToken);
  } catch (e) {
    if (!(e instanceof InspectError)) throw e;
    return failed(target, e, hub());
  }
  const store = new HubStore(c, ref, revision, hasToken);
  const cp = await readCheckpoint(store, target, { kind: "folder", dir: ".", notes: [] }, o);
  if (store.failure) return failed(target, store.failure, store.source());
  return { ...cp, source: store.source() };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** --against: the revision's file list, or the error that stopped it. */
export async function fetchListing(
  repo: string,
  revision: string,
  o: RemoteOptions,
): Promise<HubRevision | InspectError> {
  const c = client(o, OFFLINE_HINT);
  try {
    return await fetchRevision(
      c,
      { endpoint: hubEndpoint(o.env), repo, revision },
      hubToken(o.env) !== undefined,
    );
  } catch (e) {
    if (e instanceof InspectError) return e;
    throw e;
  }
}
