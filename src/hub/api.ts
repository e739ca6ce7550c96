// The Hub's HTTP API, the two calls inspect makes: the revision (one GET: the commit to pin and
// every file with its size and content hashes) and resolve URLs at that commit. Errors follow
// the Hub's X-Error-Code header as huggingface_hub's hf_raise_for_status does (docs/hub.md).

import { InspectError } from "../core/errors.js";
import { MAX_API_RESPONSE_BYTES, QUOTE_CHARS } from "../core/limits.js";
import { hostOf, type HttpClient, type HttpResult } from "../sources/http-client.js";

export interface HubFile {
  /** The path in the repo ("model-00001-of-00002.safetensors", "unet/config.json"). */
  path: string;
  size: bigint;
  /** The git blob SHA-1 (what small files are named by in the cache). */
  blobId?: string;
  /** For LFS (and Xet) files: the SHA-256 of the content. */
  lfsSha256?: string;
}

export interface HubRevision {
  repo: string;
  /** As asked for: a branch, a tag or a commit. */
  revision: string;
  /** The commit it resolved to: every file is read at this commit. */
  commit: string;
  files: HubFile[];
}

export interface HubRef {
  endpoint: string;
  repo: string;
  revision: string;
}

const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The repo's page, linked from messages about access. */
export const repoPage = (endpoint: string, repo: string) => `${endpoint}/${repo}`;

/** Path segments of a repo file, each percent-encoded; `/` kept between them. */
function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

/** `{endpoint}/{repo}/resolve/{commit}/{path}`: the file at the pinned commit. */
export function resolveUrl(endpoint: string, repo: string, commit: string, file: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(commit)}/${encodePath(file)}`;
}

/** The repo and revision of a resolve URL (`…/{org}/{name}/resolve/{rev}/{path}`), if it is one. */
export function resolveRefOf(url: string): HubRef | undefined {
  const u = new URL(url);
  const m = /^(.*?)\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\//.exec(u.pathname);
  if (!m) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { endpoint: u.origin + m[1], repo: `${dec(m[2]!)}/${dec(m[3]!)}`, revision: dec(m[4]!) };
}

export function revisionUrl(ref: HubRef): string {
  return `${ref.endpoint}/api/models/${ref.repo}/revision/${encodeURIComponent(ref.revision)}?blobs=true`;
}

/** GET /api/models/{repo}/revision/{rev}?blobs=true, validated. */
export async function fetchRevision(
  client: HttpClient,
  ref: HubRef,
  hasToken: boolean,
): Promise<HubRevision> {
  const res = await client.request({
    url: revisionUrl(ref),
    maxBytes: MAX_API_RESPONSE_BYTES,
    what: `${ref.repo}@${ref.revision}`,
  });
  if (res.status !== 200) throw hubError(res, ref, { hasToken });
  if (!res.complete) {
    throw new InspectError(
      "REMOTE_RESPONSE_INVALID",
      `the file list of ${ref.repo} is larger than ${MAX_API_RESPONSE_BYTES} bytes`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString("utf8"));
  } catch {
    throw badApi(ref, res, "is not JSON");
  }
  return parseRevision(json, ref, res);
}

export function parseRevision(json: unknown, ref: HubRef, res?: HttpResult): HubRevision {
  if (typeof json !== "object" || json === null) throw badApi(ref, res, "is not an object");
  const o = json as Record<string, unknown>;
  const commit = o.sha;
  if (typeof commit !== "string" || !COMMIT.test(commit))
    throw badApi(ref, res, "has no 40-digit commit sha");
  if (!Array.isArray(o.siblings)) throw badApi(ref, res, "has no file list (siblings)");
  const files: HubFile[] = [];
  for (const s of o.siblings as unknown[]) {
    const e = s as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || typeof e.rfilename !== "string")
      throw badApi(ref, res, "lists a file without a name");
    const size = e.size;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
      throw badApi(ref, res, `gives no size for ${quote(e.rfilename)} (blobs=true ignored?)`);
    const f: HubFile = { path: e.rfilename, size: BigInt(size) };
    if (typeof e.blobId === "string" && /^[0-9a-f]{40}$/.test(e.blobId)) f.blobId = e.blobId;
    const lfs = e.lfs as Record<string, unknown> | undefined;
    if (lfs && typeof lfs === "object") {
      if (typeof lfs.sha256 !== "string" || !SHA256.test(lfs.sha256))
        throw badApi(ref, res, `gives an LFS file without a SHA-256 (${quote(e.rfilename)})`);
      f.lfsSha256 = lfs.sha256;
    }
    files.push(f);
  }
  return { repo: ref.repo, revision: ref.revision, commit, files };
}

const quote = (s: string) =>
  JSON.stringify(s.length > QUOTE_CHARS ? s.slice(0, QUOTE_CHARS) + "…" : s);

function badApi(ref: HubRef, res: HttpResult | undefined, what: string): InspectError {
  return new InspectError(
    "REMOTE_RESPONSE_INVALID",
    `the revision API of ${res ? hostOf(res.url) : ref.endpoint} for ${ref.repo}@${ref.revision} ${what}`,
    { hint: "is HF_ENDPOINT a Hugging Face Hub?" },
  );
}

/**
 * An answer of the Hub that is not what was asked for, as one target error. Without a token the
 * Hub answers 401 for private, gated and missing repos alike; X-Error-Code says which when it can.
 */
export function hubError(
  res: HttpResult,
  ref: HubRef,
  o: { hasToken: boolean; file?: string },
): InspectError {
  const code = res.headers.get("x-error-code");
  const serverMessage = res.headers.get("x-error-message") ?? "";
  const page = repoPage(ref.endpoint, ref.repo);
  const what = o.file ? `${o.file} in ${ref.repo}` : ref.repo;
  if (code === "GatedRepo") {
    return new InspectError(
      "HUB_GATED",
      `${ref.repo} is a gated repo${o.hasToken ? " and this token has not been granted access" : ""}`,
      {
        hint: `accept its licence at ${page}, then set HF_TOKEN to a token of that account`,
      },
    );
  }
  if (code === "RevisionNotFound") {
    return new InspectError(
      "HUB_REVISION_NOT_FOUND",
      `${ref.repo} has no revision ${quote(ref.revision)}`,
      { hint: `name a branch, tag or commit listed at ${page}/tree/main` },
    );
  }
  if (code === "EntryNotFound") {
    return new InspectError("HUB_FILE_NOT_FOUND", `no file ${what} at ${ref.revision}`, {
      hint: `the files are listed at ${page}/tree/${encodeURIComponent(ref.revision)}`,
    });
  }
  if (res.status === 401 && /invalid (credentials|username or password)/i.test(serverMessage)) {
    return new InspectError("HUB_ACCESS_DENIED", `the Hub rejects the token for ${ref.repo}`, {
      hint: "the token is invalid or revoked: set HF_TOKEN to a valid one (or unset it for public repos)",
    });
  }
  if (res.status === 401 && !o.hasToken) {
    return new InspectError(
      "HUB_AUTH_REQUIRED",
      `${ref.repo} needs a token: the Hub answers 401, which it does for private, gated and missing repos alike`,
      {
        hint: `check the name; if it is private or gated, get access at ${page} and set HF_TOKEN`,
      },
    );
  }
  if (res.status === 404 && o.file && code !== "RepoNotFound") {
    return new InspectError("HUB_FILE_NOT_FOUND", `no file ${what} at ${ref.revision}`);
  }
  if (code === "RepoNotFound" || res.status === 404) {
    return new InspectError(
      "HUB_REPO_NOT_FOUND",
      `no repo ${ref.repo} on ${hostOf(ref.endpoint)}${o.hasToken ? " that this token can see" : ""}`,
      { hint: "check the name (org/name, as in the URL of its page)" },
    );
  }
  if (res.status === 401 || res.status === 403) {
    return new InspectError(
      "HUB_ACCESS_DENIED",
      `the Hub refuses access to ${what} with this token (HTTP ${res.status})`,
      { hint: `check that the token's account has access at ${page}` },
    );
  }
  return new InspectError(
    "REMOTE_HTTP_ERROR",
    `${what}: ${hostOf(res.url)} answered HTTP ${res.status}`,
  );
}
