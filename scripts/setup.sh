#!/usr/bin/env bash
# Sets rasd up on a fresh Debian 12 machine that has Node.js 20.19+ and npm:
# Debian packages (with apt-get; needs root or sudo), npm packages, then the build.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "setup: rasd needs Node.js 20.19 or later (node was not found)" >&2
  exit 1
fi
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`setup: rasd needs Node.js 20.19 or later; this is ${process.versions.node}`);
    process.exit(1);
  }'

# Debian packages:
#   imagemagick         decodes BMP (libvips, which decodes everything else, cannot)
#   ffmpeg              decodes video for vPDQ (ffmpeg and ffprobe)
#   python3 make g++    compile better-sqlite3 (the embedded database) during npm ci
#   chromium            browser tests: test/web/e2e.test.ts drives it with playwright-core
DEBIAN_PACKAGES=(imagemagick ffmpeg python3 make g++ chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "setup: installing npm packages"
npm ci --no-audit --no-fund --loglevel=error

echo "setup: building"
npm run --silent build
echo "setup: done. Try: ./bin/rasd --help"
