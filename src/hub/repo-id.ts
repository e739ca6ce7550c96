// Hub repo ids as a user types them, and the cache folder each is kept in.

/** `org/name` or `org/name@revision`: the shape of a Hub repo id (the revision checked apart). */
const REPO_ID = /^([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@(.*))?$/s;

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
  return {
    repo,
    folder: `models--${m[1]}--${m[2]}`,
    ...(m[3] !== undefined ? { revision: m[3] } : {}),
  };
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Longest revision accepted: git refs are file names, and no real branch or tag comes close. */
const MAX_REVISION_CHARS = 255;

/**
 * Why `revision` is neither a commit hash nor a branch or tag name, or undefined when it is one.
 * Branch and tag names follow git's rules (git check-ref-format): a revision becomes a path under
 * the cache's refs/ (huggingface_hub keeps refs/pr/1 as refs/refs/pr/1), so these rules are also
 * what keeps it from naming a file outside the cache entry.
 */
export function revisionProblem(revision: string): string | undefined {
  if (revision.length === 0) return "it is empty";
  if (revision.length > MAX_REVISION_CHARS)
    return `it is longer than ${MAX_REVISION_CHARS} characters`;
  if (COMMIT.test(revision)) return undefined;
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(revision))
    return "it holds a space, a control character or one of ~ ^ : ? * [ \\";
  if (revision === "@" || revision.includes("@{")) return "it is @ or holds @{";
  if (revision.startsWith("/") || revision.endsWith("/") || revision.includes("//"))
    return "it starts or ends with / or holds //";
  if (revision.endsWith(".")) return "it ends with a dot";
  for (const part of revision.split("/")) {
    if (part.startsWith(".")) return "a part of it starts with a dot (. and .. among them)";
    if (part.endsWith(".lock")) return "a part of it ends with .lock";
  }
  return undefined;
}
