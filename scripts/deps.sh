#!/usr/bin/env bash
# scripts/deps.sh - install what fitcheck needs on Debian, only when missing.
#
#   scripts/deps.sh runtime   build + run fitcheckd
#   scripts/deps.sh test      also cmocka and Node.js (HTTP tests, OpenAPI lint)
#   scripts/deps.sh clang     also clang (ThreadSanitizer builds, libFuzzer)
set -euo pipefail

want=(gcc make cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libzip-dev libcurl4-openssl-dev)
if [ "${1:-runtime}" = test ]; then
    want+=(libcmocka-dev curl chromium sqlite3 postgresql e2fsprogs)
    # chromium: the dashboard's browser tests; sqlite3: kill -9 test; postgresql: the store's tests on it; e2fsprogs: the read-only test (mkfs.ext4, chattr)
    # the Python client's tests and its example notebook
    want+=(python3-numpy python3-pandas python3-nbclient python3-nbformat python3-nbconvert python3-ipykernel)
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
fi
[ "${1:-}" = clang ] && want=(clang)

missing=()
for pkg in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing+=("$pkg") ;;
    esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "fitcheck: installing missing packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "fitcheck: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
