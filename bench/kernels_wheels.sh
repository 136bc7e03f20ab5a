#!/usr/bin/env bash
# NOT run in CI. Downloads (once, into bench/.cache/) the PyPI Linux x86_64 torch and torchvision
# wheels of a few releases, runs `cudafit kernels --json` on the .whl files directly, and
# compares each member's per-container arch list with that release's arch list in
# data/torch-arch-lists.csv (the PyPI default variant from data/torch-releases.csv).
#   CUDAFIT   the binary (default: build/cudafit)
#   RELEASES  "torch:torchvision ..." (default: "2.8.0:0.23.0 2.9.1:0.24.1")
set -euo pipefail
cd "$(dirname "$0")/.."
cudafit="${CUDAFIT:-build/cudafit}"
releases="${RELEASES:-2.8.0:0.23.0 2.9.1:0.24.1}"
cache=bench/.cache
mkdir -p "$cache"
[ -x "$cudafit" ] || { echo "no $cudafit (build it, or set CUDAFIT)" >&2; exit 2; }

for rel in $releases; do
  torch="${rel%%:*}"; vision="${rel##*:}"
  dest="$cache/torch-$torch"
  if ! ls "$dest"/torch-*.whl >/dev/null 2>&1; then
    echo "== downloading torch $torch, torchvision $vision (once)"
    pip download --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
      --python-version 3.12 -d "$dest" "torch==$torch" "torchvision==$vision"
  fi
  for whl in "$dest"/*.whl; do
    t0=$(date +%s%N)
    "$cudafit" kernels --json "$whl" > "$whl.json" || true
    t1=$(date +%s%N)
    printf '== %s: %d MB in %d ms\n' "$(basename "$whl")" $(( $(stat -c %s "$whl") / 1048576 )) \
      $(( (t1 - t0) / 1000000 ))
    python3 - "$whl.json" "$torch" <<'PY'
import csv, json, sys
report, torch = json.load(open(sys.argv[1])), sys.argv[2]
def rows(path):
    with open(path) as f:
        return list(csv.DictReader(line for line in f if not line.startswith('#')))
key = lambda v: tuple(int(x) for x in v.split('.')[:3])
variant = next((r['pypi_default_variant'] for r in rows('data/torch-releases.csv')
                if r['torch'] == torch), '')
want = None
for r in rows('data/torch-arch-lists.csv'):
    if (r['variant'] == variant and r['platform'] == 'linux-x86_64'
            and key(r['torch_from']) <= key(torch) <= key(r['torch_to'])):
        sm = lambda cc: cc.replace('.', '')
        want = ['sm_' + sm(c) for c in r['sass'].split()] + \
               ['compute_' + sm(c) for c in r['ptx'].split()]
print(f'   data/ arch list for torch {torch} {variant}: {" ".join(want) if want else "(not in data/)"}')
for f in report['files']:
    if not f['containers']:
        continue
    got = f['arch_list']
    verdict = '' if want is None else ('matches' if sorted(got) == sorted(want) else 'DIFFERS')
    extras = ' '.join(f"{e['arch']}x{e['containers']}" for e in f['extras'])
    name = f['file'].split('!', 1)[-1]
    print(f"   {name}: {f['containers']} containers; every container: {' '.join(got)}"
          f"{'; extras: ' + extras if extras else ''} {verdict}")
PY
  done
done
