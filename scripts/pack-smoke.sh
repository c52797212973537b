#!/usr/bin/env bash
# Pack reprune exactly as `npm publish` would, install the tarball into an empty project, and use it there the way
# a user would: plain Node ESM (no tsx), the installed `reprune` command, and the published .d.ts type-checked.
# Run from anywhere: `bash scripts/pack-smoke.sh` (or `npm run smoke:pack`). Temp folders are removed on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
proj="$tmp/project"
mkdir -p "$tmp/pack" "$proj" "$tmp/scratch"

fail() { echo "pack-smoke: $*" >&2; exit 1; }

echo "== npm pack (runs prepare = build)"
(cd "$root" && npm pack --pack-destination "$tmp/pack" --loglevel=error > /dev/null)
tgz="$(ls "$tmp"/pack/reprune-*.tgz)"
listing="$(tar -tzf "$tgz")"
for f in package/dist/index.js package/dist/index.d.ts package/dist/cli/run.js package/bin/reprune.js package/bench/train_torch.py package/README.md; do
  grep -qx "$f" <<< "$listing" || fail "$f is missing from $(basename "$tgz")"
done
if grep -E '^package/(src|test|examples|docs)/' <<< "$listing" > /dev/null; then fail "the tarball ships sources or tests"; fi
echo "$(basename "$tgz"): $(wc -l <<< "$listing") files, $(du -k "$tgz" | cut -f1) kB"

echo "== npm install <tgz> into an empty project"
cd "$proj"
printf '{ "name": "reprune-pack-smoke", "private": true, "type": "module" }\n' > package.json
# skip: onnxruntime-node's postinstall would otherwise fetch CUDA binaries on Linux (its CPU binaries are bundled).
npm install --no-audit --no-fund --prefer-offline --loglevel=error --onnxruntime-node-install=skip "$tgz"
if [ -e node_modules/tsx ]; then fail "tsx got installed: it must be a devDependency only"; fi

echo "== library from plain Node ESM"
cp "$root/scripts/pack-smoke-use.mjs" use.mjs
node use.mjs "$tmp/scratch"

echo "== reprune --help (installed bin)"
help="$(node_modules/.bin/reprune --help)" || fail "reprune --help exited with $?"
for cmd in info eval prune reparam train demo; do
  grep -qE "^  $cmd( |$)" <<< "$help" || fail "reprune --help does not list '$cmd':"$'\n'"$help"
done
echo "lists: $(grep -cE '^  [a-z-]+ ' <<< "$help") commands"

echo "== heavy modules stay unloaded: import 'reprune', reprune --help, reprune info"
cp "$root/scripts/pack-smoke-trace.mjs" trace.mjs
heavy='/node_modules/(onnxruntime-node|onnxruntime-common|vega|vega-lite)/|^native: '
REPRUNE_TRACE="$tmp/trace-import.txt" node --import ./trace.mjs --input-type=module -e "import 'reprune';"
REPRUNE_TRACE="$tmp/trace-help.txt" node --import ./trace.mjs node_modules/reprune/bin/reprune.js --help > /dev/null
node_modules/.bin/reprune export-zoo lenet5 -o "$tmp/zoo.onnx" 2> /dev/null
REPRUNE_TRACE="$tmp/trace-info.txt" node --import ./trace.mjs node_modules/reprune/bin/reprune.js info "$tmp/zoo.onnx" > /dev/null
for t in import help info; do
  [ -s "$tmp/trace-$t.txt" ] || fail "the module trace of '$t' is empty (trace hook not active?)"
  if grep -E "$heavy" "$tmp/trace-$t.txt"; then fail "'$t' loaded the modules above; import them lazily"; fi
done

echo "== consumer types against the installed .d.ts"
# skipLibCheck as in the repo (onnx-proto's own .d.ts does not compile alone). Broken reprune types would not
# slip through: an unresolvable type turns into `any`, and then the consumer's @ts-expect-error lines go unused.
cp "$root/test/types/consumer.ts" consumer.ts
cat > tsconfig.json <<EOF
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "types": ["node"],
    "typeRoots": ["$root/node_modules/@types"]
  },
  "files": ["consumer.ts"]
}
EOF
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo "== pack-and-install smoke test passed"
