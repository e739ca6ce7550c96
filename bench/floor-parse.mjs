// Floor for header parsing: read the 8-byte prefix and the N header bytes, JSON.parse them,
// nothing else. inspect must do more (validate, count, report) within a small factor of this.
import { openSync, readSync, closeSync } from "node:fs";

let tensors = 0;
for (const path of process.argv.slice(2)) {
  const fd = openSync(path, "r");
  const prefix = Buffer.alloc(8);
  readSync(fd, prefix, 0, 8, 0);
  const n = Number(prefix.readBigUInt64LE(0));
  const header = Buffer.allocUnsafe(n);
  let done = 0;
  while (done < n) done += readSync(fd, header, done, n - done, 8 + done);
  closeSync(fd);
  tensors += Object.keys(JSON.parse(header.toString("utf8"))).length;
}
process.stdout.write(`${tensors}\n`);
