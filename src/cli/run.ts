// One run: resolve options, inspect each target in turn, print, and decide the exit status.

import { statSync } from "node:fs";
import type { Checkpoint } from "../checkpoint/checkpoint.js";
import { STDIN_TARGET } from "../checkpoint/load.js";
import { isOffline, loadTarget, whereIs, type TargetOptions } from "../checkpoint/targets.js";
import { InspectError } from "../core/errors.js";
import { MAX_HTTP_CONCURRENCY, MAX_STDERR_ERRORS, MESSAGE_CHARS } from "../core/limits.js";
import type { HubRevision } from "../hub/api.js";
import { parseRepoId } from "../hub/repo-id.js";
import { deviceIds, findDevice, similarDevices } from "../hardware/catalog.js";
import type { FitTarget, HardwareOptions, PrecisionName } from "../hardware/estimate.js";
import { CACHE_DTYPES, findCacheDtype } from "../hardware/kv-cache.js";
import type { FlashAttentionSetting } from "../hardware/llama-cpp.js";
import { cutText, escapeForTerminal } from "../core/escape.js";
import type { Finding } from "../core/findings.js";
import { group } from "../core/text.js";
import { combine, EXIT, type ExitCode } from "../core/exit-codes.js";
import {
  buildReport,
  exitStatus,
  fitVerdicts,
  REMOTE_UNVERIFIABLE,
  STDIN_UNVERIFIABLE,
  verify,
} from "../inspection.js";
import type { Report } from "../report/report.js";
import { decimalBytes } from "../core/text.js";
import { binaryBytes } from "../report/units.js";
import { fitFailureText } from "../report/hardware-words.js";
import { jsonDocument } from "../report/json.js";
import { colourStyle, type Style } from "../report/style.js";
import { StdinSource } from "../sources/stdin-source.js";
import { colourLevel } from "./colour.js";
import { globPredicate } from "./glob.js";
import { thisMachine } from "./machine.js";
import { Output } from "./output.js";
import { parsePositiveInt, parseSize } from "./sizes.js";

export interface RunOptions {
  json?: boolean;
  brief?: boolean;
  binary?: boolean;
  tensors?: boolean;
  filter?: string;
  strict?: boolean;
  followSymlinks?: boolean;
  /** --file: one of a folder's GGUF files. */
  file?: string;
  color?: boolean;
  debug?: boolean;
  // hardware
  context?: string;
  batch?: string;
  kvDtype?: string;
  flashAttn?: string;
  swaFull?: boolean;
  memory?: string;
  gpu?: string;
  count?: string;
  tensorSplit?: string;
  referenceServer?: string;
  requireFit?: boolean;
  precision?: string;
  // integrity
  verify?: boolean;
  scan?: boolean;
  sha256?: string;
  checksums?: string;
  lfsPointers?: string;
  against?: string;
  // remote
  remote?: boolean;
  offline?: boolean;
  concurrency?: string;
}

export interface Streams {
  out: Output;
  err: (line: string) => void;
  /** Where the progress bar goes (stderr); drawn only when it is a terminal. */
  progress: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Columns the table fits (cli/width.ts); default: no limit. */
  width?: number;
  /** inspect's version, for the User-Agent of remote reads. */
  version?: string;
}

const usage = (message: string) => new InspectError("USAGE", message);

/** Targets from the command line; none means standard input when it is a pipe or a file. */
export function resolveTargets(targets: string[]): string[] {
  if (targets.filter((t) => t === STDIN_TARGET).length > 1) {
    throw usage("`-` is named twice: standard input can be read only once");
  }
  if (targets.length > 0) return targets;
  if (StdinSource.available()) return [STDIN_TARGET];
  throw usage(
    "no target given: name a .safetensors file or a model folder, or pipe a file into `inspect -`",
  );
}

function gpuNamed(name: string) {
  const d = findDevice(name);
  if (!d) {
    const near = similarDevices(name).slice(0, 3);
    const mean = near.length > 0 ? `; did you mean ${near.join(" or ")}?` : "";
    throw new InspectError("USAGE", `unknown device "${name}"${mean}`, {
      hint: `known: ${deviceIds().join(", ")}`,
    });
  }
  return d;
}

/** --tensor-split 3,1: llama.cpp's proportions, one per device, at least one above 0. */
export function parseTensorSplit(text: string, devices: number): number[] {
  const parts = text.split(/[,/]/).map((p) => p.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === "") || values.some((v) => !Number.isFinite(v) || v < 0))
    throw usage(`--tensor-split takes one proportion per device, like 3,1; not "${text}"`);
  if (values.length !== devices)
    throw usage(`--tensor-split gives ${values.length} proportions for ${devices} devices`);
  if (!values.some((v) => v > 0)) throw usage("--tensor-split needs a proportion above 0");
  return values;
}

/** --precision values and the estimate's names for them. */
const PRECISIONS: ReadonlyMap<string, PrecisionName> = new Map([
  ["as-stored", "as stored"],
  ["16", "16-bit"],
  ["8", "8-bit"],
  ["4", "4-bit"],
]);

export function parsePrecision(text: string): PrecisionName {
  const key = text
    .trim()
    .toLowerCase()
    .replace(/[-_ ]?bits?$/, "");
  const p = PRECISIONS.get(key === "as stored" || key === "stored" ? "as-stored" : key);
  if (!p) throw usage(`--precision takes 16, 8, 4 or as-stored, not "${text}"`);
  return p;
}

/** llama.cpp's spellings of --flash-attn's values (common_arg_utils::is_truthy, is_falsey,
 * is_autoy in common/arg.cpp). */
const FLASH_ATTN_VALUES: ReadonlyMap<string, FlashAttentionSetting> = new Map([
  ...["on", "enabled", "true", "1"].map((v) => [v, "on"] as const),
  ...["off", "disabled", "false", "0"].map((v) => [v, "off"] as const),
  ...["auto", "-1"].map((v) => [v, "auto"] as const),
]);

export function parseFlashAttn(text: string): FlashAttentionSetting {
  const v = FLASH_ATTN_VALUES.get(text.trim().toLowerCase());
  if (!v) throw usage(`--flash-attn takes on, off or auto (llama.cpp's values), not "${text}"`);
  return v;
}

/** The hardware options, checked before any target is read: a usage error costs nothing. */
async function hardwareOptions(o: RunOptions): Promise<HardwareOptions> {
  const h: HardwareOptions = {};
  if (o.context !== undefined) h.context = parsePositiveInt(o.context, "--context");
  if (o.batch !== undefined) h.batch = parsePositiveInt(o.batch, "--batch");
  if (o.kvDtype !== undefined) {
    const d = findCacheDtype(o.kvDtype);
    if (!d)
      throw usage(
        `unknown --kv-dtype "${o.kvDtype}"; known: ${CACHE_DTYPES.map((c) => c.name).join(", ")}`,
      );
    h.kvDtype = d;
  }
  if (o.precision !== undefined) h.precision = parsePrecision(o.precision);
  if (o.flashAttn !== undefined) h.flashAttention = parseFlashAttn(o.flashAttn);
  // llama_init_from_model (src/llama-context.cpp) refuses a quantized V cache without flash
  // attention: no context of that kind exists to estimate.
  if (h.flashAttention === "off" && h.kvDtype && h.kvDtype.denominator !== 1n)
    throw usage(
      `--kv-dtype ${h.kvDtype.name} with --flash-attn off: llama.cpp refuses a quantized V cache without flash attention; use --flash-attn on or auto, or an f16 cache`,
    );
  if (o.swaFull) h.swaFull = true;
  if (o.referenceServer !== undefined) {
    const d = gpuNamed(o.referenceServer);
    if (!d.kind.endsWith("gpu")) throw usage(`--reference-server needs a GPU, not ${d.label}`);
    h.referenceGpu = d;
  }
  if (o.memory !== undefined && o.gpu !== undefined)
    throw usage("give --memory or --gpu, not both");
  if (o.count !== undefined && o.gpu === undefined) throw usage("--count goes with --gpu");
  let target: FitTarget | undefined;
  if (o.memory === "auto") target = await thisMachine();
  else if (o.memory !== undefined) {
    const memoryBytes = parseSize(o.memory);
    if (memoryBytes === 0n) throw usage("--memory must be more than 0");
    target = { kind: "memory", label: o.memory, memoryBytes };
  } else if (o.gpu !== undefined) {
    // --gpu a,b,c: devices of different kinds, in the order the runtime numbers them.
    const named = o.gpu.split(",").map((n) => gpuNamed(n.trim()));
    if (named.length > 1 && o.count !== undefined)
      throw usage("--count goes with one --gpu; name each device of a list instead");
    const notGpu = named.find((d) => !d.kind.endsWith("gpu"));
    if (named.length > 1 && notGpu)
      throw usage(`a list of --gpu devices takes GPUs; ${notGpu.label} is a machine of its own`);
    const first = named[0]!;
    target = named.every((d) => d.id === first.id)
      ? {
          kind: "devices",
          device: first,
          count: o.count === undefined ? named.length : parsePositiveInt(o.count, "--count"),
        }
      : { kind: "mixed", devices: named };
  }
  if (o.tensorSplit !== undefined) {
    const n =
      target?.kind === "devices"
        ? target.count
        : target?.kind === "mixed"
          ? target.devices.length
          : 0;
    if (n < 2 || !target || target.kind === "memory")
      throw usage("--tensor-split goes with several GPUs: --gpu X --count N, or --gpu a,b");
    target.tensorSplit = parseTensorSplit(o.tensorSplit, n);
  }
  if (o.requireFit && !target) throw usage("--require-fit needs --memory or --gpu to fit into");
  if (target) h.target = target;
  return h;
}

function wantsVerification(o: RunOptions): { hash: boolean; scan: boolean } | undefined {
  const hash =
    o.verify === true ||
    o.sha256 !== undefined ||
    o.checksums !== undefined ||
    o.lfsPointers !== undefined ||
    o.against !== undefined;
  const scan = o.scan === true;
  return hash || scan ? { hash, scan } : undefined;
}

/** `reported`: the errors are also in what goes to stdout (a table or the JSON document). */
function reportErrors(s: Report, err: (line: string) => void, reported: boolean): void {
  const errors = s.findings.filter((f) => f.severity === "error");
  const shown = errors.slice(0, MAX_STDERR_ERRORS);
  for (const f of shown) {
    const file = f.file ?? s.target;
    const hint = f.hint ? ` (${f.hint})` : "";
    err(
      `inspect: ${escapeForTerminal(file)}: ${cutText(f.message + hint, MESSAGE_CHARS)} [${f.code}]`,
    );
  }
  // A "N more CODE findings not listed" line stands for N errors, not one.
  const count = (fs: readonly Finding[]) => fs.reduce((n, f) => n + (f.omitted ?? 1), 0);
  const more = count(errors) - count(shown);
  if (more > 0) {
    err(
      `inspect: ${escapeForTerminal(s.target)}: ${group(more)} more ${more === 1 ? "error" : "errors"} ${reported ? "in the report" : "not shown; --json lists them all"}`,
    );
  }
}

/**
 * The one JSON document a usage error under --json prints: the shape of a target that could not
 * be opened (target "", nothing read), its one finding the USAGE error. Scripts always get one.
 */
export function usageDocument(e: InspectError): string {
  const cp: Checkpoint = { target: "", kind: "file", files: [], findings: [e.toFinding()] };
  return [...jsonDocument(buildReport(cp))].join("");
}

function matchesAny(s: Report, filter: (name: string) => boolean): boolean {
  for (const t of s.tensors()) if (filter(t.name)) return true;
  return false;
}

/** A glob that matched nothing: it must match whole names, so suggest one with stars. */
function noMatch(glob: string): string {
  const starred = glob.startsWith("*") || glob.endsWith("*") ? undefined : `*${glob}*`;
  return `--filter ${escapeForTerminal(JSON.stringify(glob))} matched no tensor: a glob matches whole names${starred ? `; try --filter '${escapeForTerminal(starred)}'` : ""}`;
}

export async function run(targets: string[], o: RunOptions, io: Streams): Promise<ExitCode> {
  const filter = o.filter === undefined ? undefined : globPredicate(o.filter);
  const listTensors = o.tensors === true || filter !== undefined;
  const json = o.json === true;
  const hardware = await hardwareOptions(o);
  const want = wantsVerification(o);
  if (o.sha256 !== undefined && targets.length > 1)
    throw usage("--sha256 is the digest of one file; name one target");
  // Refused before any target is read: otherwise the targets before `-` are reported and stdin
  // is consumed, only for the run to end in a usage error.
  if (want && targets.includes(STDIN_TARGET)) throw usage(STDIN_UNVERIFIABLE);
  if (o.remote && o.offline) throw usage("give --remote or --offline, not both");
  const targetOptions: TargetOptions = {
    env: io.env,
    userAgent: `inspect/${io.version ?? "0.0.0-dev"}`,
    ...(o.remote ? { remote: true } : {}),
    ...(o.offline ? { offline: true } : {}),
    ...(o.followSymlinks ? { followSymlinks: true } : {}),
    ...(o.file !== undefined ? { select: { file: o.file } } : {}),
  };
  if (o.concurrency !== undefined) {
    targetOptions.concurrency = parsePositiveInt(o.concurrency, "--concurrency");
    if (targetOptions.concurrency > MAX_HTTP_CONCURRENCY)
      throw usage(`--concurrency is at most ${MAX_HTTP_CONCURRENCY}`);
  }
  // Refused before any request: hashing and scanning read every byte.
  if (want) {
    for (const t of targets)
      // Ollama's store is on this disk: its blobs are hashed like any local file.
      if (!["local", "ollama"].includes((await whereIs(t, targetOptions)).kind))
        throw usage(`${t}: ${REMOTE_UNVERIFIABLE}`);
  }
  let against: HubRevision | undefined;
  if (o.against !== undefined) {
    const repo = parseRepoId(o.against);
    if (!repo)
      throw usage(`--against takes a Hub repo id, org/name[@revision], not "${o.against}"`);
    if (isOffline(targetOptions))
      throw usage("--against reads the Hub's file list; not offline (--offline, HF_HUB_OFFLINE=1)");
    const { fetchListing } = await import("../checkpoint/remote.js");
    const listing = await fetchListing(repo.repo, repo.revision ?? "main", targetOptions);
    if (listing instanceof InspectError) {
      io.err(
        `inspect: --against ${escapeForTerminal(o.against)}: ${escapeForTerminal(listing.message + (listing.detail.hint ? ` (${listing.detail.hint})` : ""))} [${listing.code}]`,
      );
      return EXIT.usage;
    }
    against = listing;
  }
  if (
    o.lfsPointers !== undefined &&
    !statSync(o.lfsPointers, { throwIfNoEntry: false })?.isDirectory()
  ) {
    throw usage(`--lfs-pointers ${o.lfsPointers}: no such folder`);
  }
  let style: Style | undefined;
  let render: typeof import("../report/table.js").renderTable | undefined;
  if (!json) {
    // The table renderer and chalk load only when a table is printed: start-up time matters.
    style = await colourStyle(colourLevel({ json, flag: o.color, env: io.env, isTTY: io.isTTY }), {
      width: io.width ?? Infinity,
      binary: o.binary === true,
    });
    render = (await import("../report/table.js")).renderTable;
  }
  const size = o.binary === true ? binaryBytes : decimalBytes;
  let status: ExitCode = EXIT.ok;
  let first = true;
  // The tier thresholds are the same for every target: shown once, with the first estimate.
  let tiersShown = false;
  // Hashing writes nothing for minutes: a watch on stdout's pipe stops it once the reader has
  // gone, rather than reading every byte for nobody.
  const watchReader = want ? (await import("./reader-watch.js")).watchReader : undefined;
  for (const target of targets) {
    // The reader has gone with targets still to report: stop, quietly, as `cat a b | head -1`
    // does (exit 141, as for a process ended by SIGPIPE).
    if (!io.out.open) {
      status = combine(status, EXIT.outputClosed);
      break;
    }
    const cp = await loadTarget(target, targetOptions);
    const verified = want
      ? await verify(cp, {
          ...want,
          ...(o.sha256 !== undefined ? { sha256: o.sha256 } : {}),
          ...(o.checksums !== undefined ? { checksums: o.checksums } : {}),
          ...(o.lfsPointers !== undefined ? { lfsPointers: o.lfsPointers } : {}),
          ...(against !== undefined ? { against } : {}),
          ...(o.followSymlinks ? { followSymlinks: true } : {}),
          progress: io.progress,
          ...(watchReader ? { watch: (stop: () => void) => watchReader(io.out, stop) } : {}),
        })
      : undefined;
    if (verified?.stopped === "output-closed") {
      status = combine(status, EXIT.outputClosed);
      break;
    }
    const signal =
      verified?.stopped === "SIGINT" || verified?.stopped === "SIGTERM"
        ? verified.stopped
        : undefined;
    const summary = buildReport(cp, {
      strict: o.strict === true,
      hardware,
      ...(verified?.verification ? { verification: verified.verification } : {}),
      ...(verified ? { extraFindings: verified.findings } : {}),
    });
    const code = exitStatus(summary, {
      requireFit: o.requireFit === true,
      ...(signal ? { interrupted: signal } : {}),
    });
    const fit = summary.hardware?.fit;
    // A gate that fails must say why on stderr, like every other failing status.
    if (code === EXIT.doesNotFit && fit) {
      io.err(
        `inspect: ${escapeForTerminal(summary.target)}: does not fit ${escapeForTerminal(fit.target)}${summary.hardware!.precision === "as stored" ? "" : ` at ${summary.hardware!.precision}`}: ${fitFailureText(fit, size)}`,
      );
    } else if (code === EXIT.doesNotFit) {
      const n = fitVerdicts(summary).length;
      io.err(
        `inspect: ${escapeForTerminal(summary.target)}: none of its ${group(n)} alternatives fits (each one's needs are in the report)`,
      );
    }
    status = combine(status, code);
    // A target that could not be opened has nothing to tabulate; its stderr lines say why.
    const table = !json && (summary.files.length > 0 || summary.partial?.fromIndex !== undefined);
    reportErrors(summary, io.err, json || table);
    if (json) {
      for (const chunk of jsonDocument(summary, { tensors: listTensors, filter }))
        await io.out.write(chunk);
    } else if (table) {
      await io.out.write(
        (first ? "" : "\n") +
          render!(summary, {
            tensors: listTensors,
            filter,
            style: style!,
            brief: o.brief === true,
            tiers: !tiersShown,
          }),
      );
      first = false;
      if (o.brief !== true && summary.hardware?.languageModel) tiersShown = true;
    }
    if (
      filter &&
      o.filter !== undefined &&
      summary.files.length > 0 &&
      !matchesAny(summary, filter)
    )
      io.err(`inspect: ${escapeForTerminal(summary.target)}: ${noMatch(o.filter)}`);
    if (signal === "SIGINT") {
      io.err("inspect: interrupted: the report covers what was read before Ctrl-C");
      break;
    }
    if (signal === "SIGTERM") {
      io.err("inspect: terminated (SIGTERM): the report covers what was read before it");
      break;
    }
  }
  await io.out.drain();
  return status;
}
