// Builds every tracker script from the one source (p.js next to this file):
//
//   <out>/p.js                          ours
//   <out>/plausible/script.js           Plausible's script.js (and plausible.js)
//   <out>/plausible/script.<mods>.js    one file per set of modifiers, named in
//                                       the order of modifiers.json
//
// each minified, with .gz and .br beside it so the server sends precompressed
// bytes. Fails when a script is over its size budget. Files are rewritten only
// when their bytes change, and a variant no longer built is removed.
//
// Usage: node server/tracker/build.mjs <out dir>

import { transform } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const OURS_BUDGET = 700;
const VARIANT_BUDGET = 2048;

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs <out dir>");
  process.exit(2);
}
const source = readFileSync(join(here, "p.js"), "utf8");
const modifiers = JSON.parse(readFileSync(join(here, "modifiers.json"), "utf8"));
const flag = (modifier) => modifier.toUpperCase().replaceAll("-", "_");

const minify = async (plausible, enabled, engagement = false) => {
  const define = { PLAUSIBLE: String(plausible), ENGAGEMENT: String(engagement) };
  for (const modifier of modifiers) define[flag(modifier)] = String(enabled.includes(modifier));
  const { code } = await transform(source, { minify: true, target: "es2021", define, logLevel: "warning" });
  return Buffer.from(code.trimEnd());
};

// Every subset of the modifiers, as a bit mask over modifiers.json's order.
const subsets = Array.from({ length: 2 ** modifiers.length }, (_, mask) =>
  modifiers.filter((_, bit) => mask & (1 << bit)),
);
const scripts = [
  { file: "p.js", budget: OURS_BUDGET, body: await minify(false, []) },
  ...(await Promise.all(
    subsets.map(async (enabled) => {
      // Engagement events wherever they fit the budget.
      let body = await minify(true, enabled, true);
      const engagement = body.length <= VARIANT_BUDGET;
      if (!engagement) body = await minify(true, enabled);
      return {
        file: join("plausible", ["script", ...enabled, "js"].join(".")),
        modifiers: enabled,
        budget: VARIANT_BUDGET,
        engagement,
        body,
      };
    }),
  )),
];

const writeIfChanged = (path, bytes) => {
  let old;
  try {
    old = readFileSync(path);
  } catch {}
  if (!old || !old.equals(bytes)) writeFileSync(path, bytes);
};

mkdirSync(join(out, "plausible"), { recursive: true });
const built = new Set();
for (const script of scripts) {
  script.gzip = gzipSync(script.body, { level: 9 });
  script.brotli = brotliCompressSync(script.body, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: script.body.length,
    },
  });
  for (const [suffix, bytes] of [["", script.body], [".gz", script.gzip], [".br", script.brotli]]) {
    built.add(script.file + suffix);
    writeIfChanged(join(out, script.file + suffix), bytes);
  }
}
for (const name of readdirSync(join(out, "plausible"))) {
  if (!built.has(join("plausible", name))) rmSync(join(out, "plausible", name));
}

// The report: every script's size, then the biggest and the count.
const variants = scripts.slice(1);
const biggest = variants.reduce((a, b) => (b.body.length > a.body.length ? b : a));
const shown = scripts;
const width = Math.max(...shown.map((s) => s.file.length));
const row = (s) =>
  `  ${s.file.padEnd(width)}  ${String(s.body.length).padStart(5)} B  gzip ${String(s.gzip.length).padStart(4)}` +
  `  br ${String(s.brotli.length).padStart(4)}  budget ${s.budget}`;
const lean = variants.filter((v) => !v.engagement).length;
console.log(`tracker: p.js and ${variants.length} Plausible variants in ${out}`);
for (const s of shown) console.log(row(s) + (s.engagement === false ? "  (no engagement)" : ""));
console.log(`biggest:\n${row(biggest)}`);
console.log(`  engagement events in ${variants.length - lean} variants; ${lean} leave them out to keep within budget`);

const over = scripts.filter((s) => s.body.length > s.budget);
if (over.length) {
  for (const s of over.slice(0, 10)) console.error(`tracker: ${s.file} is ${s.body.length} B, over its budget of ${s.budget} B`);
  if (over.length > 10) console.error(`tracker: and ${over.length - 10} more over budget`);
  // p.js is what make checks for: gone, the next make builds again.
  rmSync(join(out, "p.js"), { force: true });
  process.exit(1);
}
