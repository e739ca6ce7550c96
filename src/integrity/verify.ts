// Runs a plan: hashes the files and scans the weights' values in one pass per file, then turns
// what the workers found into the verification result and its findings.
//
// Severities: a digest that differs, a missing or unreadable file, NaN or infinity, and BOOL bytes
// other than 0/1 are errors: each means the weights are not what was published or will compute
// garbage. BOOL bytes are errors rather than warnings because no framework writes them (torch and
// numpy store only 0 and 1), so they come from corruption or a crafted file, and they load as
// values that are truthy yet unequal to True, silently breaking masks. An all-zero tensor is a
// warning: usually a failed conversion or an uninitialised layer, but some biases and buffers
// are legitimately zero. An interrupted run is an error: nothing after the stop was checked.

import type { Checkpoint } from "../checkpoint/checkpoint.js";
import { FindingSink } from "../core/finding-sink.js";
import { finding, type Finding } from "../core/findings.js";
import { LFS_POINTER_HINT, lfsPointerMessage } from "../formats/sniff.js";
import { gigabytes, group, nameOf, plural } from "../core/text.js";
import { DTYPES } from "../formats/dtypes.js";
import type { Expected } from "../core/digest.js";
import {
  runHashJobs,
  type HashJob,
  type HashJobResult,
  type HashPoolOptions,
  type HashRun,
} from "./hash-pool.js";
import { checkpointFiles, planVerification, type PlanOptions, type VerifyFile } from "./plan.js";
import type { ProgressReporter } from "./progress.js";
import { scanPlanOf, type ScanPlan } from "./scan-plan.js";
import type {
  FileStatus,
  FileVerification,
  ScanSummary,
  TensorValues,
  Verification,
} from "./verification.js";
import type { WorkerLocation } from "./worker-location.js";

export interface VerifyOptions {
  /** Hash every file (--verify, --sha256, --checksums); default true. */
  hash?: boolean;
  /** Scan the values of files that carry their parsed weights (--scan); default false. */
  scan?: boolean;
  /** Abort to stop at once (Ctrl-C); the result then says what was done. */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  threads?: number;
  blockSize?: number;
  worker?: WorkerLocation;
}

export interface VerifyOutcome {
  verification: Verification;
  findings: Finding[];
}

/**
 * --verify / --scan for a whole checkpoint: plans (expected digests from every source; with
 * hashing off nothing but the weights) and runs. Throws InspectError USAGE for a bad --sha256,
 * CHECKSUMS_UNREADABLE for a checksums file that cannot be read; every other problem is a finding.
 */
export async function verifyCheckpoint(
  cp: Checkpoint,
  plan: PlanOptions,
  options: VerifyOptions = {},
): Promise<VerifyOutcome> {
  const weights = checkpointFiles(cp);
  const planned =
    (options.hash ?? true)
      ? await planVerification(weights, {
          ...plan,
          root: plan.root ?? cp.root,
          ...((plan.scope ?? cp.scope) ? { scope: (plan.scope ?? cp.scope)! } : {}),
        })
      : { files: weights, findings: [] };
  const outcome = await verifyFiles(planned.files, options);
  const findings = [...planned.findings, ...outcome.findings];
  const unchecked = nothingChecked(plan, outcome.verification);
  if (unchecked !== undefined && !outcome.verification.interrupted) {
    findings.push(
      finding("NOTHING_VERIFIED", unchecked, {
        hint: "nothing was compared with what it was asked to be compared with; see the findings above",
      }),
    );
  }
  return { ...outcome, findings };
}

/**
 * A verification asked for against named digests (--checksums, --lfs-pointers) that compared
 * no file with one of them checked nothing it was asked to check: say so, as an error, rather
 * than pass a gate on digests merely computed.
 */
function nothingChecked(plan: PlanOptions, v: Verification): string | undefined {
  const used = (source: string) =>
    v.files.some((f) => f.source === source && f.status !== "interrupted");
  if (plan.checksums !== undefined && !used("checksums")) {
    return `no file was checked against ${plan.checksums}`;
  }
  if (plan.lfsPointers !== undefined && !used("lfs-pointer")) {
    return `no file was checked against a Git LFS pointer in ${plan.lfsPointers}`;
  }
  return undefined;
}

export async function verifyFiles(
  files: readonly VerifyFile[],
  options: VerifyOptions = {},
): Promise<VerifyOutcome> {
  const hash = options.hash ?? true;
  const scan = options.scan ?? false;
  const sink = new FindingSink();
  const jobs: HashJob[] = [];
  const jobOf = new Int32Array(files.length).fill(-1);
  const plans: Array<ScanPlan | undefined> = [];
  const skippedFiles: string[] = [];

  files.forEach((f, i) => {
    let plan: ScanPlan | undefined;
    if (scan && f.safetensors !== undefined && f.pointer === undefined) {
      plan = scanPlanOf(f.safetensors);
      if ("skipped" in plan) {
        skippedFiles.push(shownName(f));
        sink.add("SCAN_SKIPPED", `values not scanned: ${plan.skipped}`, { file: shownName(f) });
      }
    }
    plans.push(plan);
    const layout = plan !== undefined && "layout" in plan ? plan.layout : undefined;
    if (!hash && layout === undefined) return;
    // Settled by its size (the plan looked): not read.
    if (f.wrongSize !== undefined) return;
    const job: HashJob = { path: f.open ?? f.path, sha256: hash };
    if (f.absent) job.absent = true;
    if (hash && f.expected?.algorithm === "git-sha1") job.gitSha1 = true;
    if (layout !== undefined) job.layout = layout;
    jobOf[i] = jobs.length;
    jobs.push(job);
  });

  const poolOptions: HashPoolOptions = {};
  if (options.signal) poolOptions.signal = options.signal;
  if (options.threads !== undefined) poolOptions.threads = options.threads;
  if (options.blockSize !== undefined) poolOptions.blockSize = options.blockSize;
  if (options.worker) poolOptions.worker = options.worker;
  const progress = options.progress;
  if (progress) poolOptions.onProgress = (p) => progress.update(p);
  let run: HashRun;
  try {
    run = await runHashJobs(jobs, poolOptions);
  } finally {
    progress?.done();
  }

  const verified: FileVerification[] = [];
  files.forEach((f, i) => {
    if (hash && f.wrongSize !== undefined) {
      verified.push(sizeMismatch(f, f.wrongSize, sink));
      return;
    }
    const r = run.results[jobOf[i]!];
    if (r === undefined) return;
    if (hash) verified.push(fileResult(f, r, sink));
    else if (r.state === "failed") readFailed(f, r, sink);
  });

  let summary: ScanSummary | null = null;
  if (scan) {
    summary = {
      tensors: [],
      nanTensors: 0,
      infTensors: 0,
      zeroTensors: 0,
      invalidBoolTensors: 0,
      skippedFiles,
    };
    files.forEach((f, i) => {
      const plan = plans[i];
      if (plan === undefined || !("layout" in plan)) return;
      const r = run.results[jobOf[i]!]!;
      if (r.scan !== undefined) scanResult(f, plan, r, summary!, sink);
    });
  }

  if (run.interrupted) {
    const unfinished = run.results.filter(
      (r) => r.state === "interrupted" || r.state === "not-started",
    );
    sink.add(
      "INTERRUPTED",
      `interrupted after ${gigabytes(run.bytesDone)} GB of ${gigabytes(run.bytesTotal)} GB: ${plural(run.results.length - unfinished.length, "file")} of ${group(run.results.length)} checked`,
      { hint: "nothing after the stop was checked; run again to check the rest" },
    );
  }

  return {
    verification: {
      files: verified,
      scan: summary,
      interrupted: run.interrupted,
      bytesRead: run.bytesDone,
      bytesTotal: run.bytesTotal,
    },
    findings: sink.finish(),
  };
}

function shownName(f: VerifyFile): string {
  return f.name ?? f.path;
}

function fileResult(f: VerifyFile, r: HashJobResult, sink: FindingSink): FileVerification {
  const file = shownName(f);
  const e = f.expected;
  const pointer = f.pointer;
  // A pointer with no other expectation is checked against the oid it names: it can only fail.
  const expected: Expected | undefined =
    e ??
    (pointer && {
      algorithm: "sha256",
      hex: pointer.oid,
      size: pointer.size,
      source: "lfs-pointer",
      origin: "the pointer itself",
    });
  const out: FileVerification = {
    path: file,
    bytes: r.size ?? 0n,
    bytesRead: r.bytesRead,
    sha256: null,
    expected: expected?.hex ?? null,
    algorithm: expected?.algorithm ?? "sha256",
    source: expected?.source ?? "computed",
    match: null,
    status: "interrupted",
    ...(f.layer !== undefined ? { layer: f.layer } : {}),
  };
  const set = (status: FileStatus, match: boolean | null) => {
    out.status = status;
    out.match = expected === undefined ? null : match;
  };

  if (r.state === "failed") {
    const missing = r.errno === "ENOENT" || r.errno === "ENOTDIR";
    set(missing ? "missing" : "unreadable", false);
    out.bytes = missing ? 0n : out.bytes;
    if (missing) {
      sink.add(
        "VERIFY_FILE_MISSING",
        expected
          ? `missing: ${expected.origin} expects it`
          : "missing: it was there when the checkpoint was read",
        {
          file,
          hint:
            expected?.source === "hf-cache-blob"
              ? "the cache links to a blob that is not there: the download did not finish; download the model again"
              : expected?.source === "ollama-manifest"
                ? "the store is damaged or was pruned: pull the model again (`ollama pull`)"
                : "download it again",
        },
      );
    } else {
      readFailed(f, r, sink);
    }
    return out;
  }
  if (r.state !== "done") return out;
  if (r.bytesRead !== r.size || r.changed !== undefined) {
    // The digest is of no version of the file: neither a match nor a mismatch is true.
    set("unreadable", false);
    sink.add(
      "FILE_CHANGED",
      r.changed !== undefined
        ? `the file changed while it was hashed: ${r.changed}; the ${plural(r.size ?? 0n, "byte")} it had when opened were hashed`
        : `the file changed while it was hashed: it shrank to ${plural(r.bytesRead, "byte")} from ${group(r.size ?? 0n)} when opened`,
      { file, hint: "wait for whatever is writing it (a download?) to finish, then verify again" },
    );
    return out;
  }

  if (r.sha256 !== undefined) out.sha256 = r.sha256;
  if (r.gitSha1 !== undefined) out.gitSha1 = r.gitSha1;
  if (pointer !== undefined) {
    set("pointer", false);
    if (!f.safetensors?.findings.some((x) => x.code === "LFS_POINTER")) {
      sink.add("LFS_POINTER", lfsPointerMessage(pointer.size, pointer.oid), {
        file,
        hint: LFS_POINTER_HINT,
      });
    }
    return out;
  }
  if (expected === undefined) {
    set("computed", null);
    // Weights the given checksums file leaves out would pass a gate unverified: say so louder.
    const unlisted = f.unlistedIn;
    // A damaged file's digest is nothing to pin: say to fetch it again instead.
    const damage = f.safetensors?.findings.find((x) => x.severity === "error");
    sink.add(
      "HASH_UNCHECKED",
      unlisted !== undefined
        ? `not listed in ${unlisted}; its SHA-256 is ${r.sha256}`
        : `no expected digest; its SHA-256 is ${r.sha256}`,
      {
        file,
        hint:
          damage !== undefined
            ? `the file is damaged (${damage.code}): download it again, then pin the new file's digest`
            : unlisted !== undefined
              ? "the checksums file was made for another set of files, or misses this shard"
              : "pin it: pass --sha256, or list it in a checksums file (`sha256sum` output)",
        ...(unlisted !== undefined ? { severity: "warning" as const } : {}),
      },
    );
    return out;
  }
  const actual = expected.algorithm === "git-sha1" ? r.gitSha1 : r.sha256;
  if (actual === expected.hex) {
    set("match", true);
    return out;
  }
  set("mismatch", false);
  const what = expected.algorithm === "git-sha1" ? "git blob id" : "SHA-256";
  const hints: string[] = [];
  if (expected.size !== undefined && expected.size !== r.size) {
    hints.push(
      `the file has ${plural(r.size ?? 0n, "byte")}, ${expected.origin.startsWith("the Git LFS") ? "the pointer says" : "expected"} ${group(expected.size)}`,
    );
  }
  if (f.note !== undefined) hints.push(f.note);
  hints.push(
    expected.source === "hf-cache-blob"
      ? "the cached file was damaged or edited: delete it from the cache and download it again"
      : expected.source === "ollama-manifest"
        ? "the blob was damaged or replaced: pull the model again (`ollama pull`)"
        : "the file is not the one published: download it again",
  );
  sink.add(
    "HASH_MISMATCH",
    `${what} differs from ${expected.origin}: expected ${expected.hex}, got ${actual ?? "nothing"}`,
    { file, hint: hints.join("; ") },
  );
  return out;
}

/** A blob whose size is not its manifest's: a mismatch without reading it (sizeBound). */
function sizeMismatch(f: VerifyFile, size: bigint, sink: FindingSink): FileVerification {
  const e = (f.expected ?? f.known)!;
  sink.add(
    "OLLAMA_BLOB_SIZE_MISMATCH",
    `the blob is ${plural(size, "byte")}, but ${e.origin} says ${group(e.size ?? 0n)}: not read`,
    {
      file: shownName(f),
      hint: "the blob was cut short or replaced: pull the model again (`ollama pull`)",
    },
  );
  return {
    path: shownName(f),
    bytes: size,
    bytesRead: 0n,
    sha256: null,
    expected: e.hex,
    algorithm: e.algorithm,
    source: e.source,
    match: false,
    status: "mismatch",
    ...(f.layer !== undefined ? { layer: f.layer } : {}),
  };
}

function readFailed(f: VerifyFile, r: HashJobResult, sink: FindingSink): void {
  sink.add(
    "VERIFY_READ_FAILED",
    `read failed after ${plural(r.bytesRead, "byte")}: ${r.errno ?? r.error ?? "unknown error"}`,
    { file: shownName(f), offset: r.bytesRead, hint: r.error },
  );
}

function scanResult(
  f: VerifyFile,
  plan: Extract<ScanPlan, { layout: unknown }>,
  r: HashJobResult,
  summary: ScanSummary,
  sink: FindingSink,
): void {
  const file = shownName(f);
  const counts = r.scan!;
  const table = f.safetensors!.header!.tensors;
  const { begins, ends, dtypes } = plan.layout;
  for (let k = 0; k < plan.tensors.length; k++) {
    const name = table.names[plan.tensors[k]!]!;
    const complete = counts.complete[k] === 1;
    const t: TensorValues = {
      name,
      file,
      dtype: DTYPES[dtypes[k]!]!.name,
      nan: counts.nan[k]!,
      inf: counts.inf[k]!,
      zero: complete && counts.nonZero[k] === 0 && ends[k]! > begins[k]!,
      invalidBool: counts.invalidBool[k]!,
      complete,
    };
    summary.tensors.push(t);
    const detail = { file, tensor: name, offset: BigInt(begins[k]!) };
    if (t.nan > 0) {
      summary.nanTensors++;
      sink.add("NAN_VALUES", `tensor ${nameOf(name)} holds ${plural(t.nan, "NaN value")}`, {
        ...detail,
        hint: "a broken conversion or training run; the model will output NaN",
      });
    }
    if (t.inf > 0) {
      summary.infTensors++;
      sink.add("INF_VALUES", `tensor ${nameOf(name)} holds ${plural(t.inf, "infinite value")}`, {
        ...detail,
        hint: "an overflow in a conversion (e.g. F32 to F16); the model will output NaN or inf",
      });
    }
    if (t.zero) {
      summary.zeroTensors++;
      sink.add("ZERO_TENSOR", `every value of tensor ${nameOf(name)} is zero`, {
        ...detail,
        hint: "often a failed conversion or an uninitialised layer; some biases and buffers are zero on purpose",
      });
    }
    if (t.invalidBool > 0) {
      summary.invalidBoolTensors++;
      sink.add(
        "BOOL_INVALID",
        `BOOL tensor ${nameOf(name)} holds ${plural(t.invalidBool, "byte")} other than 0 and 1`,
        {
          ...detail,
          hint: "no framework writes these: the data is corrupt or crafted, and such values are truthy yet unequal to True",
        },
      );
    }
  }
}
