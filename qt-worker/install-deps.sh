#!/usr/bin/env bash
# Installs what build.sh needs (Qt6Core dev files, g++, pkg-config). Idempotent: does nothing
# when they are all present; runs apt-get update only when the package lists are missing.
set -euo pipefail

have_all() {
    command -v g++ >/dev/null 2>&1 &&
        command -v pkg-config >/dev/null 2>&1 &&
        pkg-config --exists Qt6Core
}

if have_all; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: no apt-get; install qt6-base-dev (Qt 6 Core dev files), g++ and pkg-config by hand" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
pkgs=(qt6-base-dev g++ pkg-config)
# Try with the existing package lists first; update only if they are missing or stale.
if ! $sudo apt-get install -y --no-install-recommends "${pkgs[@]}"; then
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${pkgs[@]}"
fi

if ! have_all; then
    echo "install-deps: Qt6Core, g++ or pkg-config still missing after apt-get install" >&2
    exit 1
fi
