// Hub repo ids as a user types them, and the cache folder each is kept in.

/** `org/name` or `org/name@revision`: the shape of a Hub repo id. */
const REPO_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@([\w./-]+))?$/;

export interface RepoId {
  /** `org/name`. */
  repo: string;
  /** Its folder in the cache: `models--org--name`. */
  folder: string;
  revision?: string;
}

export function parseRepoId(s: string): RepoId | undefined {
  const m = REPO_ID.exec(s);
  if (!m || m[2] === "." || m[2] === "..") return undefined;
  const repo = `${m[1]}/${m[2]}`;
  return { repo, folder: `models--${m[1]}--${m[2]}`, ...(m[3] ? { revision: m[3] } : {}) };
}
